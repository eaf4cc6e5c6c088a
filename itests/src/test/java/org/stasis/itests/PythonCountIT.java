package org.stasis.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** count.py: a python3 interpreter with a 200k-entry dict it verifies every step, restarted twice. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PythonCountIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void pythonCountContinuesAcrossTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program py = Program.python();
    Harness.Bg launched = h.launch(py);
    h.waitForValues(launched, Series.COUNT, 10, Harness.DEFAULT_WAIT);

    Cycle first = checkpointKillRestart(launched, py, Series.COUNT, 15);
    h.waitForValues(first.restarted(), Series.COUNT, 20, Duration.ofSeconds(30));
    checkpointKillRestart(first.restarted(), py, Series.COUNT, 15);
  }
}
