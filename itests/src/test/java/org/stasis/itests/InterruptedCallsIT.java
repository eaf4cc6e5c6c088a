package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * blocker.c: one thread blocked in each call Linux never restarts after a signal handler (poll,
 * ppoll, select, pselect, epoll_wait, epoll_pwait, epoll_pwait2, sigtimedwait, sigwaitinfo,
 * nanosleep, clock_nanosleep relative and absolute, usleep, sleep, pause, sigsuspend), each
 * waiting 1-3 s in a loop, plus a thread whose own signal must still interrupt poll and
 * nanosleep. Across 20 blocking checkpoints, a SIGKILL, a restart from the restart script and 5
 * more checkpoints, the program must see no EINTR, no wake-up before its deadline and none later
 * than the deadline plus the time it was stopped (plus 1.5 s); it says "INVARIANT BROKEN"
 * otherwise, which fails the test at once. Every thread must also keep going, and each one's
 * count must resume exactly after the restart.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InterruptedCallsIT extends ItBase {

  private static final List<String> CALLS = List.of("poll", "ppoll", "select", "pselect", "epoll_wait",
      "epoll_pwait", "epoll_pwait2", "sigtimedwait", "sigwaitinfo", "nanosleep", "clockrel", "clockabs",
      "usleep", "sleep", "pause", "sigsuspend", "genuine");

  private static Series series(String call) {
    return new Series(call, Pattern.compile("^" + call + " (\\d+)$"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void blockedCallsSeeNoCheckpoint(RunAs who, TestInfo info) {
    harness(who, info);
    Program blocker = Program.c("blocker");
    Harness.Bg running = h.launch(blocker);
    h.waitForOutput(running, l -> l.contains("badargs ok") && CALLS.stream().allMatch(c -> !series(c).values(l).isEmpty()),
        Harness.DEFAULT_WAIT, "'badargs ok' and a first line of every thread");

    checkpointsWhileBlocked(running, 20, "launched");

    // the last checkpoint's image, then SIGKILL and the restart script
    Map<String, Long> before = last(running.lines());
    h.bcheckpoint();
    Map<String, Long> after = last(running.lines());
    Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
    h.killProgram(blocker);
    Path script = h.dir().resolve("dmtcp_restart_script.sh");
    assertTrue(Files.exists(script), "no dmtcp_restart_script.sh in the work directory\n" + Harness.listing(h.dir()));
    Harness.Bg restarted = h.start("restart-script", List.of("./dmtcp_restart_script.sh"));
    h.waitForOutput(restarted, l -> CALLS.stream().allMatch(c -> series(c).values(l).size() >= 2),
        Harness.DEFAULT_WAIT, "two lines of every thread after the restart");
    for (String call : CALLS) {
      assertResumes(series(call).values(restarted.lines()), before.get(call), after.get(call),
          call + " after the restart", restarted);
    }

    checkpointsWhileBlocked(restarted, 5, "restarted");
    for (String call : CALLS) {
      assertConsecutive(series(call).values(restarted.lines()), call + " after the restart", restarted);
    }
  }

  /**
   * {@code n} blocking checkpoints at irregular intervals, so they find the threads at every
   * point of their waits; then every thread must have gone on (two more waits each, one more
   * interruption by its own signal for "genuine").
   */
  private void checkpointsWhileBlocked(Harness.Bg bg, int n, String which) {
    Map<String, Long> start = last(bg.lines());
    for (int i = 0; i < n; i++) {
      h.bcheckpoint();
      Harness.assertNoBadMarkers(bg, bg.lines());
      Harness.sleep(100 + (i * 137) % 400);
    }
    h.waitForOutput(bg, l -> {
      Map<String, Long> now = last(l);
      return CALLS.stream().allMatch(c -> now.get(c) >= start.get(c) + (c.equals("genuine") ? 1 : 2));
    }, Harness.DEFAULT_WAIT, "every thread of the " + which + " program going on after " + n + " checkpoints");
  }

  private static Map<String, Long> last(List<String> lines) {
    Map<String, Long> m = new HashMap<>();
    for (String call : CALLS) {
      List<Long> v = series(call).values(lines);
      m.put(call, v.isEmpty() ? 0L : Series.last(v));
    }
    return m;
  }
}
