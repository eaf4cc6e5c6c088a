package org.stasis.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The seeds' demo: count.c survives two checkpoint / SIGKILL / restart cycles without a gap or repeat. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CountIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void countContinuesAcrossTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count);
    h.waitForValues(launched, Series.COUNT, 10, Harness.DEFAULT_WAIT);
    assertConsecutive(Series.COUNT.values(launched.lines()), "launched count", launched);

    Cycle first = checkpointKillRestart(launched, count, Series.COUNT, 15);
    // the second cycle starts from the restarted process, not from the original
    h.waitForValues(first.restarted(), Series.COUNT, 20, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), count, Series.COUNT, 15);
    assertConsecutive(Series.COUNT.values(second.restarted().lines()), "count after the second restart",
        second.restarted());
  }
}
