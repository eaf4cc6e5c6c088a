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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One computation through 100 checkpoint / SIGKILL / restart cycles (TARGETS.md), each
 * restarted with the restart script from the images of the restart before: a process tree
 * (bash, slowcat, python3) joined by a pipe, reading an input file and writing a log file,
 * {@code bash -c 'slowcat 40 < in.txt | python3 -u sums.py > log.txt'}. After the last cycle
 * the log must be, line for line, what an uninterrupted run writes up to that point (each
 * number with the running sum of squares), and every cycle must have moved it on.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HundredCyclesIT extends TreeItBase {

  private static final int CYCLES = 100;
  private static final int LINES = 100_000;

  private static final String SUMS = "import sys\n"
      + "s = 0\n"
      + "for line in sys.stdin:\n"
      + "    n = int(line)\n"
      + "    s += n * n\n"
      + "    print(n, s)\n";

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aHundredCyclesLeaveTheLogOfAnUninterruptedRun(RunAs who, TestInfo info) {
    harness(who, info);
    Path in = h.newFile("in.txt");
    Path sums = h.newFile("sums.py");
    Path log = h.dir().resolve("log.txt");
    try {
      Files.write(in, IntStream.rangeClosed(1, LINES).mapToObj(Integer::toString).collect(Collectors.toList()),
          StandardCharsets.US_ASCII);
      Files.writeString(sums, SUMS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    h.chown(in);
    h.chown(sums);
    String script = Harness.EXAMPLES.resolve("slowcat").toAbsolutePath() + " 40 < '" + in + "' | "
        + Program.python3() + " -u '" + sums + "' > '" + log + "'";
    Harness.Bg running = h.launch(new Program(List.of("/bin/bash", "-c", script), "python3",
        Path.of("/bin/bash"), null));
    List<Harness.Bg> runs = new ArrayList<>(List.of(running));
    awaitGrowth(running, log, 0, 0);
    for (int cycle = 1; cycle <= CYCLES; cycle++) {
      checkpointTree(running, null);
      Harness.sleep(200);
      killComputation();
      // the restart cuts the log back to its size at the checkpoint: it must get past this
      long atKill = Harness.fileSize(log);
      running = restartWithScript();
      runs.add(running);
      awaitGrowth(running, log, atKill, cycle);
    }
    h.command(Duration.ofSeconds(60), "--quit");

    List<String> lines = completeLines(log);
    assertTrue(lines.size() > CYCLES, "the log holds only " + lines.size() + " lines after " + CYCLES + " cycles");
    long s = 0;
    for (int i = 0; i < lines.size(); i++) {
      long n = i + 1;
      s += n * n;
      if (!lines.get(i).equals(n + " " + s)) {
        fail("log.txt line " + n + " is '" + lines.get(i) + "', an uninterrupted run writes '" + n + " " + s
            + "'; around it: " + lines.subList(Math.max(0, i - 3), Math.min(lines.size(), i + 3)));
      }
    }
    for (Harness.Bg run : runs) {
      assertEquals(List.of(), run.lines().stream().filter(l -> !l.isBlank()).collect(Collectors.toList()),
          "output of the computation landed in " + run.name + "'s output");
    }
  }

  /** Waits until the log is longer than {@code size} bytes (the computation went on). */
  private void awaitGrowth(Harness.Bg running, Path log, long size, int cycle) {
    h.waitUntil(() -> {
      if (!running.alive()) {
        fail("the computation ended after cycle " + cycle + "\n" + running.describe() + h.coordinatorLogTail());
      }
      return Harness.fileSize(log) > size;
    }, Duration.ofSeconds(60), "log.txt to grow after cycle " + cycle);
  }

  /** The log's lines, without a last one still being written. */
  private static List<String> completeLines(Path log) {
    try {
      String text = Files.readString(log, StandardCharsets.US_ASCII);
      List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
      lines.remove(lines.size() - 1); // after the last newline: empty, or a line cut short
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
