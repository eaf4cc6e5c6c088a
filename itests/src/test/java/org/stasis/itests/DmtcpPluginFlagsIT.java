package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seeds' job scripts launch with DMTCP's plugin flags (`dmtcp_launch --allow-file-overwrite
 * --rm ...`). Job scripts must run unchanged: while those plugins are not installed the program
 * still runs, checkpoints and restarts, and launch says once which flag had no effect.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DmtcpPluginFlagsIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void seedScriptFlagsRunUnchanged(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count, "--allow-file-overwrite", "--rm");
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertTrue(launched.errText().contains("has no effect and the program runs without it"),
        "launch does not say that --rm had no effect\n" + launched.describe());
    Cycle c = checkpointKillRestart(launched, count, Series.COUNT, 5);
    Harness.assertNoBadMarkers(c.restarted(), c.restarted().lines());
  }
}
