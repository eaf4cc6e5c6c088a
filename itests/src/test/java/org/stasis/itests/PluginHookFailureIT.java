package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A plugin's native hook that fails at PRECHECKPOINT (the example counter plugin, told to refuse
 * its first checkpoint) aborts that generation: the blocking checkpoint command fails naming the
 * plugin, the coordinator's status names it, no image is left behind, the program runs on
 * without losing a value, and the next checkpoint succeeds and restarts.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PluginHookFailureIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void failingHookAbortsTheGenerationAndNamesThePlugin(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count, "--with-plugin", Harness.COUNTER_PLUGIN.toAbsolutePath().toString(),
        "--counter-fail-at", "1");
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);

    Harness.Result bc = h.command(Duration.ofSeconds(60), "-bc");
    assertNotEquals(0, bc.exit(), "the checkpoint should have failed\n" + bc.describe());
    assertTrue(bc.all().contains("plugin counter") && bc.all().contains("refusing this checkpoint"),
        "the command does not name the plugin and its reason\n" + bc.describe());
    Harness.Result status = h.command(Duration.ofSeconds(30), "-s");
    assertTrue(status.out().contains("plugin counter: refusing this checkpoint"),
        "the status does not name the plugin\n" + status.describe());
    assertEquals(List.of(), Harness.images(h.dir()), "an aborted generation left an image");
    assertTrue(Harness.listing(h.dir()).indexOf(".tmp") < 0, "an aborted generation left a .tmp file\n"
        + Harness.listing(h.dir()));

    long atFailure = Series.last(Series.COUNT.values(launched.lines()));
    h.waitForValues(launched, Series.COUNT, (int) atFailure + 10, Duration.ofSeconds(30));
    assertTrue(launched.alive(), "the program did not survive the failed checkpoint\n" + launched.describe());
    assertConsecutive(Series.COUNT.values(launched.lines()), "count across the failed checkpoint", launched);

    Cycle c = checkpointKillRestart(launched, count, Series.COUNT, 5);
    assertTrue(c.restarted().errText().contains("[counter] RESTART generation=2 checkpoints=1"),
        "the refused checkpoint was counted, or the next one was not\n" + c.restarted().describe());
  }
}
