package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sigfdprog blocks SIGUSR1 and reads it from a signalfd it polls. The test sends SIGUSR1 with
 * {@code kill} (as the test's account, to the program's real pid) one at a time and waits for
 * each {@code <n> got signal <n>}; then two checkpoint / SIGKILL / restart cycles, after each of
 * which two more signals must arrive through the same signalfd, counted on from the checkpoint
 * (the files plugin rebuilds the signalfd from /proc/self/fdinfo; SIGUSR1 must still be blocked,
 * or it would kill the program). The ticks printed every 100 ms follow the usual continuation
 * check.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SignalfdIT extends ItBase {

  /** {@code tick <t> count=<deliveries so far>}. */
  static final Series TICKS = new Series("tick", Pattern.compile("^tick (\\d+) count=(\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void signalsStillArriveThroughTheSignalfdAfterRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program prog = Program.c("sigfdprog");
    Harness.Bg running = h.launch(prog);
    h.waitForValues(running, TICKS, 3, Harness.DEFAULT_WAIT);
    long count = 0;
    for (int i = 0; i < 2; i++) {
      count = signalAndExpect(prog, running, count);
    }
    for (int cycle = 1; cycle <= 2; cycle++) {
      Cycle c = checkpointKillRestart(running, prog, TICKS, 5);
      running = c.restarted();
      assertFalse(running.lines().stream().anyMatch(l -> l.matches("^\\d+ got signal \\d+$")),
          "a signal arrived after restart " + cycle + " before any was sent\n" + running.describe());
      for (int i = 0; i < 2; i++) {
        count = signalAndExpect(prog, running, count);
      }
    }
    Harness.assertNoBadMarkers(running, running.lines());
  }

  /** SIGUSR1 to the program's real pid; it must report delivery {@code count + 1}. */
  private long signalAndExpect(Program prog, Harness.Bg bg, long count) {
    Set<Long> pids = h.programPids(prog);
    assertEquals(1, pids.size(), "the one sigfdprog process: " + pids + "\n" + Harness.describeProcesses(h.markedPids()));
    long pid = pids.iterator().next();
    Harness.Result r = h.run(Duration.ofSeconds(10), List.of("kill", "-USR1", String.valueOf(pid)));
    assertEquals(0, r.exit(), "kill -USR1 " + pid + ":\n" + r.describe());
    String expected = (count + 1) + " got signal " + (count + 1);
    h.waitForOutput(bg, lines -> lines.contains(expected), Duration.ofSeconds(20),
        "'" + expected + "' after kill -USR1 " + pid);
    return count + 1;
  }
}
