package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * pool.py: a multiprocessing.Pool(2) squaring 0..299 (80 ms per task), its results summed in
 * order. Checkpointed, killed and restarted with the restart script twice in the middle:
 *
 * <ul>
 *   <li>the results go on with nothing lost or repeated, and every running total is exactly
 *       0² + 1² + ... + (i-1)² (no task done twice or dropped, no result mixed up);
 *   <li>the parent keeps its pid, the two workers keep theirs (a Pool replaces a worker that
 *       died, which would show a third pid) and still report the parent as their parent;
 *   <li>the program prints the right total and the restart command exits 0.
 * </ul>
 *
 * <p>The Pool's locks are POSIX semaphores in memory its processes share (deleted files in
 * /dev/shm); the restorer maps that memory shared between the restored processes again, and the
 * test checks the sharing right after each restart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PythonPoolIT extends TreeItBase {

  static final int ITEMS = 300;

  /** {@code item <i> total=<running sum> parent=<pid> worker=<pid> wppid=<worker's getppid>}. */
  static final Series ITEM = new Series("item",
      Pattern.compile("^item (\\d+) total=(\\d+) parent=(\\d+) worker=(\\d+) wppid=(\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void poolFinishesWithTheRightSumAcrossTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program pool = Program.script(Program.python3(), "pool.py", String.valueOf(ITEMS), "0.08");
    Harness.Bg launched = h.launch(pool);
    h.waitForValues(launched, ITEM, 15, Harness.DEFAULT_WAIT);
    assertConsecutive(ITEM.values(launched.lines()), "results of the launched pool", launched);
    List<Harness.Bg> runs = new ArrayList<>(List.of(launched));
    Map<String, String> sharedAtLaunch = sharedBetweenProcesses();
    assertFalse(sharedAtLaunch.isEmpty(), "the pool's processes share no memory (its locks are POSIX semaphores "
        + "in shared memory):\n" + describe(computation()));

    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ITEM, 15, restarted -> assertStillShared(sharedAtLaunch));
      assertTrue(c.checkpoint().images().size() >= 3, "expected images of the parent and both workers: "
          + c.checkpoint().images());
      running = c.restarted();
      runs.add(running);
    }

    String expected = String.valueOf(sumOfSquares(ITEMS));
    h.waitForOutput(running, lines -> lines.stream().anyMatch(l -> l.startsWith("result ")), Duration.ofSeconds(120),
        "the pool's result line");
    assertTrue(running.lines().contains("result total=" + expected + " expected=" + expected + " ok"),
        "wrong result\n" + running.describe());
    assertEquals(ITEMS, Series.last(ITEM.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), "exit status of the restarted pool\n" + running.describe());
    assertNothingLeft("pool.py");

    String parent = ITEM.group(launched.lines(), 3).get(0);
    Set<String> workers = new TreeSet<>();
    for (Harness.Bg run : runs) {
      assertConsecutive(ITEM.values(run.lines()), "results of " + run.name, run);
      for (Matcher m : ITEM.matches(run.lines())) {
        long i = Long.parseLong(m.group(1));
        assertEquals(String.valueOf(sumOfSquares(i)), m.group(2), "running total after item " + i + " in "
            + run.name + "\n" + run.describe());
        assertEquals(parent, m.group(3), "the parent's pid changed: " + m.group() + "\n" + run.describe());
        assertEquals(parent, m.group(5), "a worker's getppid() is not the parent: " + m.group() + "\n"
            + run.describe());
        workers.add(m.group(4));
      }
    }
    assertEquals(2, workers.size(), "the results came from workers " + workers + "; a Pool(2) that keeps "
        + "its workers shows exactly two pids");
  }

  /**
   * The shared writable mappings (the pages of the Pool's POSIX semaphores) that at least two
   * processes of the computation map, each to one and the same object: address range to object
   * ({@code dev inode} in /proc/<pid>/maps).
   */
  private Map<String, String> sharedBetweenProcesses() {
    Map<String, Set<String>> objects = new TreeMap<>();
    Map<String, Integer> holders = new TreeMap<>();
    for (Proc p : computation()) {
      for (String line : Harness.readQuietly(Path.of("/proc", String.valueOf(p.pid()), "maps")).split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 5 && f[1].startsWith("rw") && f[1].charAt(3) == 's') {
          objects.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[3] + " " + f[4] + " " + (f.length > 5 ? f[5] : ""));
          holders.merge(f[0], 1, Integer::sum);
        }
      }
    }
    Map<String, String> shared = new TreeMap<>();
    objects.forEach((range, objs) -> {
      if (holders.get(range) >= 2 && objs.size() == 1) {
        shared.put(range, objs.iterator().next());
      }
    });
    return shared;
  }

  /** After a restart the processes must still share what they shared at launch. */
  private void assertStillShared(Map<String, String> atLaunch) {
    Map<String, String> now = sharedBetweenProcesses();
    List<String> lost = atLaunch.keySet().stream().filter(range -> !now.containsKey(range)).toList();
    if (!lost.isEmpty()) {
      StringBuilder maps = new StringBuilder();
      for (Proc p : computation()) {
        maps.append("  ").append(p).append(":\n");
        for (String line : Harness.readQuietly(Path.of("/proc", String.valueOf(p.pid()), "maps")).split("\n")) {
          if (lost.stream().anyMatch(line::startsWith)) {
            maps.append("    ").append(line).append('\n');
          }
        }
      }
      fail("shared memory between processes is not shared after the restart: the pool's processes each map "
          + "their own copy of " + lost.size() + " of the " + atLaunch.size() + " shared pages they held at launch "
          + "(the POSIX semaphores behind the Pool's locks). At launch: " + atLaunch + "; after the restart:\n"
          + maps);
    }
  }

  /** 0² + 1² + ... + (n-1)². */
  static long sumOfSquares(long n) {
    return (n - 1) * n * (2 * n - 1) / 6;
  }
}
