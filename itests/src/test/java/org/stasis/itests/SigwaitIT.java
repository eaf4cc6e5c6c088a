package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sigwait.c: a SIGALRM handler with alarm(3) re-armed in a loop, and a thread blocked in read()
 * on a pipe fed every 500 ms. After each restart: the main count and the reader's count both
 * resume exactly, bytes still arrive in order, and alarms keep firing (the pending alarm was
 * re-armed and the handler is still installed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SigwaitIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void signalsTimersAndBlockedReadsSurviveTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program sigwait = Program.c("sigwait");
    Harness.Bg running = h.launch(sigwait);
    // past the first alarm (3 s) and several pipe bytes
    h.waitForOutput(running, lines -> alarms(lines) >= 1 && Series.GOT.values(lines).size() >= 5,
        Harness.DEFAULT_WAIT, "the first alarm and 5 'got' lines");

    for (int cycle = 1; cycle <= 2; cycle++) {
      long countBefore = Series.last(Series.SIG_COUNT.values(running.lines()));
      long gotBefore = Series.last(Series.GOT.values(running.lines()));
      long alarmsBefore = alarms(running.lines());
      h.bcheckpoint();
      long countAfter = Series.last(Series.SIG_COUNT.values(running.lines()));
      long gotAfter = Series.last(Series.GOT.values(running.lines()));
      Path image = h.image(sigwait);
      Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
      h.killProgram(sigwait);

      Harness.Bg restarted = h.restart(image);
      // 3 'got' lines take 1.5 s; then wait for an alarm fired after the restart
      List<String> lines = h.waitForOutput(restarted,
          l -> Series.SIG_COUNT.values(l).size() >= 10 && Series.GOT.values(l).size() >= 3,
          Harness.DEFAULT_WAIT, "10 'count' and 3 'got' lines after restart " + cycle);
      long alarmsAtRestart = firstAlarms(lines);
      assertTrue(alarmsAtRestart >= alarmsBefore, "alarm count went back from " + alarmsBefore + " to "
          + alarmsAtRestart + "\n" + restarted.describe());
      h.waitForOutput(restarted, l -> alarms(l) > alarmsAtRestart, Duration.ofSeconds(20),
          "an alarm after restart " + cycle + " (alarms > " + alarmsAtRestart + ")");

      lines = restarted.lines();
      assertResumes(Series.SIG_COUNT.values(lines), countBefore, countAfter, "count after restart " + cycle, restarted);
      assertResumes(Series.GOT.values(lines), gotBefore, gotAfter, "got after restart " + cycle, restarted);
      running = restarted;
    }
  }

  private static long alarms(List<String> lines) {
    List<String> a = Series.SIG_COUNT.group(lines, 2);
    return a.isEmpty() ? -1 : Long.parseLong(a.get(a.size() - 1));
  }

  private static long firstAlarms(List<String> lines) {
    return Long.parseLong(Series.SIG_COUNT.group(lines, 2).get(0));
  }
}
