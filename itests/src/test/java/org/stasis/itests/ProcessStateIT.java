package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * procstate.c holds the per-process kernel state a checkpoint must carry besides memory — umask,
 * working directory, a resource limit, a blocked pending signal, a thread's sigaltstack, shared
 * and private file mappings, a POSIX timer, its own SIGUSR2 handler — and checks all of it on
 * every tick. Across two checkpoint/kill/restart cycles it must keep counting with nothing
 * broken; then the pending SIGUSR1, blocked since the start, is delivered when unblocked.
 * Run with the default checkpoint signal (SIGUSR2, which the program also uses itself) and with
 * --ckpt-signal 40.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProcessStateIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void stateSurvivesWithTheDefaultSignal(RunAs who, TestInfo info) throws IOException {
    run(who, info);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void stateSurvivesWithAnotherCheckpointSignal(RunAs who, TestInfo info) throws IOException {
    run(who, info, "--ckpt-signal", "40");
  }

  private void run(RunAs who, TestInfo info, String... launchOptions) throws IOException {
    harness(who, info);
    Program procstate = Program.c("procstate");
    Harness.Bg launched = h.launch(procstate, launchOptions);
    h.waitForValues(launched, Series.STATE, 10, Harness.DEFAULT_WAIT);

    Cycle first = checkpointKillRestart(launched, procstate, Series.STATE, 10);
    Cycle second = checkpointKillRestart(first.restarted(), procstate, Series.STATE, 10);
    Harness.Bg last = second.restarted();
    List<Long> timer = Series.STATE.group(last.lines(), 3).stream().map(Long::parseLong).toList();
    assertTrue(Series.last(timer) > timer.get(0), "the POSIX timer stopped firing after restart\n" + last.describe());

    Files.writeString(h.dir().resolve("unblock"), "");
    h.chown(h.dir().resolve("unblock"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!last.lines().contains("usr1 delivered")) {
      assertTrue(System.nanoTime() < deadline, "the pending SIGUSR1 was not delivered\n" + last.describe());
      Harness.sleep(100);
    }
    Harness.assertNoBadMarkers(last, last.lines());
  }
}
