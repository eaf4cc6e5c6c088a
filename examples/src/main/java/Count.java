import java.util.ArrayList;
import java.util.List;

/**
 * Count: the counting demo in a JVM (run it with {@code java -Xmx64m -jar count.jar}).
 *
 * <p>Why: a JVM is a hard target for checkpointing: a dozen threads (GC, JIT compiler, signal
 * dispatcher...), a large reserved but mostly untouched heap, JIT-generated code, and a
 * garbage collector that moves objects. The program keeps an {@link ArrayList} of boxed values
 * whose sum it tracks separately; every step replaces one element with a freshly boxed value
 * (garbage for the collector) and re-adds the whole list. A restored JVM must get the list, the
 * objects it points to and the tracked sum back intact.
 *
 * <p>Usage: {@code Count [N]} stops after printing N; default: forever. Output: the counter, one
 * per line, every 100 ms; on corruption "LIST CORRUPTED ..." and exit status 3.
 */
public final class Count {
  private static final int SIZE = 100_000;

  private Count() {}

  public static void main(String[] args) throws InterruptedException {
    long limit = args.length > 0 ? Long.parseLong(args[0]) : 0;
    List<Long> values = new ArrayList<>(SIZE);
    long expected = 0;
    for (int i = 0; i < SIZE; i++) {
      values.add((long) i);
      expected += i;
    }
    for (long n = 1; ; n++) {
      int slot = (int) (n % SIZE);
      expected += n - values.get(slot);
      values.set(slot, n); // autoboxed: a new object (only -128..127 are cached)
      long sum = 0;
      for (Long v : values) {
        sum += v;
      }
      if (sum != expected || values.size() != SIZE) {
        System.out.println("LIST CORRUPTED at " + n + ": sum=" + sum + " expected " + expected
            + " size=" + values.size());
        System.out.flush();
        System.exit(3);
      }
      System.out.println(n);
      System.out.flush();
      if (limit > 0 && n >= limit) {
        return;
      }
      Thread.sleep(100);
    }
  }
}
