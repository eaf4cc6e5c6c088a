package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * threads.c: 8 threads in a token ring doing bank transfers. After each restart the rounds
 * continue, the total stays 8000 and no thread stalls (the program checks that itself and would
 * print INVARIANT BROKEN).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ThreadsIT extends ItBase {

  private static final int ROUNDS_AFTER_RESTART = 60;

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void threadsKeepTheirInvariantsAcrossTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program threads = Program.c("threads");
    Harness.Bg launched = h.launch(threads);
    h.waitForValues(launched, Series.ROUND, 10, Harness.DEFAULT_WAIT);

    // 60 rounds after each restart: more than the program's stall limit (50 rounds), so a thread
    // lost or left blocked by the restart is reported before the next cycle
    Cycle first = checkpointKillRestart(launched, threads, Series.ROUND, ROUNDS_AFTER_RESTART);
    Cycle second = checkpointKillRestart(first.restarted(), threads, Series.ROUND, ROUNDS_AFTER_RESTART);

    for (Harness.Bg bg : new Harness.Bg[] {launched, first.restarted(), second.restarted()}) {
      for (String total : Series.ROUND.group(bg.lines(), 2)) {
        assertTrue(total.equals("8000"), "total balance changed to " + total + "\n" + bg.describe());
      }
    }
    assertTrue(!h.programPids(threads).isEmpty(), "threads is no longer running\n" + second.restarted().describe());
  }
}
