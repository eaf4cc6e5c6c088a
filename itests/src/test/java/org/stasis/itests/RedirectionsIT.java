package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redirections made inside the computation survive restarts: only the standard descriptors
 * the launch gave the computation become the restart's; a file, pipe or input the computation
 * put on 0, 1 or 2 itself is its own. Each shape runs through two checkpoint / SIGKILL /
 * restart-script cycles while it is writing, then to its end, and must leave exactly the
 * files an uninterrupted run leaves; nothing of its output may land in the launch's or the
 * restart's own output.
 *
 * <ul>
 *   <li>{@code bash -c 'count 120 > out.txt'};
 *   <li>{@code bash -c 'slowcat 300 < in.txt > out.txt'} (input from a file);
 *   <li>{@code bash -c 'head -c 160M /dev/urandom | gzip > out.gz'}: the archive passes
 *       {@code gzip -t} and holds 160 MiB;
 *   <li>{@code bash -c 'slowcat 300 < in.txt | sort -n -o out.txt'};
 *   <li>{@code slowcat 300 in.txt out.txt}, which freopen()s its stdin and stdout.
 * </ul>
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedirectionsIT extends TreeItBase {

  enum Shape { OUTPUT_FILE, INPUT_FILE, GZIP_PIPELINE, SORT_OUTPUT, FREOPEN }

  static final int LINES = 2400;
  static final long GZIP_BYTES = 160L << 20;

  static Stream<Arguments> shapes() {
    return RunAs.eachCase(List.of(Shape.values()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("shapes")
  void redirectionsInsideTheComputationComeBack(Shape shape, RunAs who, TestInfo info) {
    harness(who, info);
    String slowcat = Harness.EXAMPLES.resolve("slowcat").toAbsolutePath().toString();
    String count = Harness.EXAMPLES.resolve("count").toAbsolutePath().toString();
    Path out = h.dir().resolve(shape == Shape.GZIP_PIPELINE ? "out.gz" : "out.txt");
    List<String> input = numbers(shape == Shape.SORT_OUTPUT);
    Path in = writeInput(input);
    String o = "'" + out + "'";
    String inq = "'" + in + "'";
    // as users type them: bash runs a lone command by exec, with the redirections in place
    Program program = switch (shape) {
      case OUTPUT_FILE -> bash("count", count + " 120 > " + o);
      case INPUT_FILE -> bash("slowcat", slowcat + " 300 < " + inq + " > " + o);
      case GZIP_PIPELINE -> bash("gzip", "head -c " + GZIP_BYTES + " /dev/urandom | gzip > " + o);
      case SORT_OUTPUT -> bash("sort", slowcat + " 300 < " + inq + " | sort -n -o " + o);
      case FREOPEN -> Program.c("slowcat", "300", in.toString(), out.toString());
    };

    Harness.Bg launched = h.launch(program);
    Harness.Bg running = launched;
    List<Harness.Bg> runs = new ArrayList<>(List.of(launched));
    for (int cycle = 1; cycle <= 2; cycle++) {
      awaitProgress(running, shape, out, cycle);
      checkpointTree(running, null);
      Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
      killComputation();
      running = restartWithScript();
      runs.add(running);
    }
    int status = exitStatus(running);
    assertEquals(0, status, shape + ": exit status of the restarted computation\n" + running.describe()
        + "\n" + Harness.listing(h.dir()));

    switch (shape) {
      case OUTPUT_FILE -> assertEquals(IntStream.rangeClosed(1, 120).mapToObj(i -> String.format(" %2d", i))
          .collect(Collectors.toList()), lines(out), "out.txt after two restarts");
      case INPUT_FILE, FREOPEN -> assertEquals(input, lines(out), "out.txt after two restarts");
      case SORT_OUTPUT -> assertEquals(numbers(false), lines(out), "sort's out.txt after two restarts");
      case GZIP_PIPELINE -> {
        Harness.Result t = Harness.runRaw(Duration.ofSeconds(120), List.of("gzip", "-t", out.toString()));
        assertEquals(0, t.exit(), "gzip -t out.gz after two restarts\n" + t.describe());
        Harness.Result size = Harness.runRaw(Duration.ofSeconds(120),
            List.of("sh", "-c", "gzip -dc '" + out + "' | wc -c"));
        assertEquals(Long.toString(GZIP_BYTES), size.out().trim(), "bytes in out.gz\n" + size.describe());
      }
      default -> fail(shape.toString());
    }
    // the computation's output went where it sent it, never into the launch's or restart's
    for (Harness.Bg run : runs) {
      List<String> leaked = run.lines().stream().filter(l -> !l.isBlank()).collect(Collectors.toList());
      assertTrue(leaked.isEmpty(), shape + ": output of the computation landed in " + run.name + "'s output: "
          + leaked.subList(0, Math.min(5, leaked.size())) + "\n" + run.describe());
    }
    assertNothingLeft(program.comm());
  }

  private Program bash(String comm, String script) {
    return new Program(List.of("/bin/bash", "-c", script), comm, Path.of("/bin/bash"), null);
  }

  /** 1..LINES, one per line; shuffled (always the same way) for sort. */
  private static List<String> numbers(boolean shuffled) {
    List<String> n = IntStream.rangeClosed(1, LINES).mapToObj(Integer::toString).collect(Collectors.toList());
    if (shuffled) {
      Collections.shuffle(n, new Random(42));
    }
    return n;
  }

  private Path writeInput(List<String> lines) {
    Path in = h.newFile("in.txt");
    try {
      Files.write(in, lines, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    h.chown(in);
    return in;
  }

  /**
   * Waits until the computation has visibly gone on since the last cycle: its output file grew
   * (sort writes only at its end: there, until slowcat's input was read some way, as the
   * position of its descriptor on in.txt shows).
   */
  private void awaitProgress(Harness.Bg running, Shape shape, Path out, int cycle) {
    long base = shape == Shape.SORT_OUTPUT ? 0 : Harness.fileSize(out);
    long want = base + switch (shape) {
      case GZIP_PIPELINE -> 256 << 10;
      case OUTPUT_FILE -> 40; // ten numbers
      default -> 200;
    };
    h.waitUntil(() -> {
      if (!running.alive()) {
        fail(shape + ": the computation ended before checkpoint " + cycle + "\n" + running.describe()
            + Harness.listing(h.dir()));
      }
      return shape == Shape.SORT_OUTPUT ? inputRead() >= 2000L * cycle : Harness.fileSize(out) >= want;
    }, Duration.ofSeconds(60), shape + " to make progress before checkpoint " + cycle);
  }

  /** How far slowcat has read in.txt (its stdin's position), or 0. */
  private long inputRead() {
    for (Proc p : computation()) {
      if (!p.comm().equals("slowcat")) {
        continue;
      }
      try {
        for (String l : Files.readAllLines(Path.of("/proc/" + p.pid() + "/fdinfo/0"))) {
          if (l.startsWith("pos:")) {
            return Long.parseLong(l.substring(4).trim());
          }
        }
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
    return 0;
  }

  private static List<String> lines(Path p) {
    assertTrue(Files.isRegularFile(p), p + " is missing");
    try (Stream<String> s = Files.lines(p, StandardCharsets.US_ASCII)) {
      return s.collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
