package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The example programs themselves, run natively (no Stasis), so that a failing end-to-end test
 * can be told apart from a broken example. Runs as the current user only and does not need the
 * installation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExamplesStandaloneIT extends ItBase {

  /** The seeds' job script with only the program path changed. */
  static final String SEEDS_JOB_SCRIPT = """
      #!/bin/bash
      #SBATCH -n 1
      #SBATCH -t 5:00
      #SBATCH -J dmtcp_serial
      checkpoint_file=`ls ckpt_*.dmtcp -t|head -n 1`
      checkpoint_interval=8
      port=$(shuf -i 40000-60000 -n 1)
      if [ -z $checkpoint_file ]; then
          dmtcp_launch -p $port -i $checkpoint_interval ./dmtcp_serial
      else
          dmtcp_restart -p $port -i $checkpoint_interval $checkpoint_file
      fi
      """;

  private Harness native_(TestInfo info) {
    h = Harness.create(RunAs.CURRENT_USER, info, false);
    return h;
  }

  @Test
  void countStopsAfterN(TestInfo info) {
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(20), Program.c("count", "5").argv());
    assertEquals(0, r.exit(), r.describe());
    assertEquals("  1\n  2\n  3\n  4\n  5\n", r.out(), r.describe());
    assertEquals(2, h.run(Duration.ofSeconds(20), Program.c("count", "nope").argv()).exit());
  }

  @Test
  void threadsKeepInvariants(TestInfo info) {
    native_(info);
    Harness.Bg bg = h.start("threads", Program.c("threads").argv());
    List<String> lines = h.waitForOutput(bg, l -> Series.ROUND.values(l).size() >= 15, Duration.ofSeconds(30), "15 rounds");
    assertConsecutive(Series.ROUND.values(lines), "rounds", bg);
    assertEquals(1L, Series.ROUND.values(lines).get(0));
    Series.ROUND.group(lines, 2).forEach(t -> assertEquals("8000", t, bg.describe()));
  }

  @Test
  void mixedmemVerifiesItsChecksum(TestInfo info) {
    native_(info);
    Harness.Bg bg = h.start("mixedmem", Program.c("mixedmem", "64").argv());
    h.waitForValues(bg, Series.TICK, 21, Duration.ofSeconds(30));
    List<String> lines = bg.lines();
    assertTrue(lines.get(0).matches("mixedmem 64 MiB sum=[0-9a-f]{16}"), bg.describe());
    String sum0 = lines.get(0).substring(lines.get(0).indexOf('=') + 1);
    Series.TICK.group(lines, 2).forEach(s -> assertEquals(sum0, s, bg.describe()));
    assertConsecutive(Series.TICK.values(lines), "ticks", bg);
    // the content is fixed: the same size always gives the same checksum
    assertEquals("bb5a5d859f2dc58f", sum0, "mixedmem 64 is not reproducible");
  }

  @Test
  void sigwaitGetsAlarmsAndBytesInOrder(TestInfo info) {
    native_(info);
    Harness.Bg bg = h.start("sigwait", Program.c("sigwait").argv());
    List<String> lines = h.waitForOutput(bg,
        l -> Series.SIG_COUNT.group(l, 2).contains("1") && Series.GOT.values(l).size() >= 6,
        Duration.ofSeconds(30), "an alarm and 6 bytes");
    assertConsecutive(Series.SIG_COUNT.values(lines), "count", bg);
    assertConsecutive(Series.GOT.values(lines), "got", bg);
    assertEquals(1L, Series.GOT.values(lines).get(0));
  }

  @Test
  void pythonCount(TestInfo info) {
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(60), Program.python("5").argv());
    assertEquals(0, r.exit(), r.describe());
    assertEquals("1\n2\n3\n4\n5\n", r.out(), r.describe());
  }

  @Test
  void javaCount(TestInfo info) {
    Assumptions.assumeTrue(Program.javaExecutable().isPresent(), "skipped: no java executable");
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(60), Program.java("5").argv());
    assertEquals(0, r.exit(), r.describe());
    assertEquals("1\n2\n3\n4\n5\n", r.out(), r.describe());
  }

  @Test
  void pingpongParentAndChildAnswerEachOther(TestInfo info) {
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(20), Program.c("pingpong", "5", "1").argv());
    assertEquals(0, r.exit(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(6, lines.size(), r.describe());
    for (int i = 0; i < 5; i++) {
      String[] f = lines.get(i).split(" ");
      assertEquals(String.valueOf(i + 1), f[0], r.describe());
      assertEquals(f[2], f[3], "the child's pid as the parent knows it and as it reports it\n" + r.describe());
      assertEquals(f[1], f[4], "the child's parent\n" + r.describe());
      assertEquals("alive", f[5], r.describe());
    }
    assertEquals("done child-ok", lines.get(5), r.describe());
  }

  @Test
  void loopScriptRunsItsCommands(TestInfo info) {
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(20), Program.script(Path.of("/bin/bash"), "loop.sh", "3", "0.01").argv());
    assertEquals(0, r.exit(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.describe());
    assertEquals(List.of(1L, 2L, 3L), ShellLoopIT.LOOP.values(lines), r.describe());
    for (java.util.regex.Matcher m : ShellLoopIT.LOOP.matches(lines)) {
      assertEquals("11", m.group(2), r.describe());
      assertEquals(m.group(3), m.group(4), r.describe());
      assertEquals(m.group(3), m.group(5), r.describe());
    }
    assertEquals("loop done", lines.get(3), r.describe());
  }

  @Test
  void poolSumsSquares(TestInfo info) {
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(60), Program.script(Program.python3(), "pool.py", "20", "0").argv());
    assertEquals(0, r.exit(), r.describe());
    List<String> lines = r.out().lines().toList();
    assertEquals(21, lines.size(), r.describe());
    assertEquals(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList(), PythonPoolIT.ITEM.values(lines),
        r.describe());
    assertEquals("result total=2470 expected=2470 ok", lines.get(20), r.describe());
  }

  @Test
  void stresscallsReportsElapsedTime(TestInfo info) {
    native_(info);
    Harness.Result r = h.run(Duration.ofSeconds(60), Program.c("stresscalls", "2000").argv());
    assertEquals(0, r.exit(), r.describe());
    assertTrue(r.out().matches("(?s)threads 2 iterations 2000\nelapsed \\d+\\.\\d{3}\n"), r.describe());
  }

  @Test
  void jobScriptIsTheSeedsScriptWithTheProgramPathChanged(TestInfo info) throws IOException {
    String script = Files.readString(Harness.JOBS.resolve("dmtcp_serial_job.sh"));
    assertEquals(SEEDS_JOB_SCRIPT.replace("./dmtcp_serial", "./count"), script);
    assertTrue(Files.isExecutable(Harness.JOBS.resolve("dmtcp_serial_job.sh")));
  }
}
