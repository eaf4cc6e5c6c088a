package org.stasis.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Ten checkpoint / SIGKILL / restart cycles of one computation, each restarted from the image
 * of the previous restart: the count never skips or repeats. A defect that corrupts an image
 * only now and then (a byte of a saved stack, say) shows up here rather than in a two-cycle test.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ManyCyclesIT extends ItBase {

  private static final int CYCLES = 10;

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void tenCyclesOfTheSameComputation(RunAs who, TestInfo info) {
    harness(who, info);
    Program threads = Program.c("threads");
    Harness.Bg running = h.launch(threads);
    h.waitForValues(running, Series.ROUND, 5, Harness.DEFAULT_WAIT);
    for (int i = 0; i < CYCLES; i++) {
      Cycle c = checkpointKillRestart(running, threads, Series.ROUND, 4, Duration.ofSeconds(60),
          Duration.ofSeconds(30));
      running = c.restarted();
      Harness.assertNoBadMarkers(running, running.lines());
    }
  }
}
