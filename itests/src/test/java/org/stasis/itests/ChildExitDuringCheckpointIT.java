package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A computation whose short-lived children come and go all the time (loop.sh with 50 ms
 * rounds: date, wc, sh, sleep every round) is checkpointed ten times in a row: every blocking
 * checkpoint must succeed, as it does for DMTCP, although some child exits while each one runs.
 * A child that ends before its state is taken makes the coordinator take the generation again
 * without it; one that ends after it waits until its image is committed (docs/protocol.md).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChildExitDuringCheckpointIT extends TreeItBase {

  static final int CHECKPOINTS = 10;

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void checkpointsSucceedWhileChildrenExit(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg launched = h.launch(Program.script(Path.of("/bin/bash"), "loop.sh", "0", "0.05"));
    h.waitForValues(launched, ShellLoopIT.LOOP, 10, Harness.DEFAULT_WAIT);

    List<String> failures = new ArrayList<>();
    for (int i = 1; i <= CHECKPOINTS; i++) {
      Harness.Result r = h.command(Duration.ofSeconds(90), "-bc");
      assertTrue(!r.timedOut(), r.describe());
      if (r.exit() != 0) {
        failures.add("checkpoint " + i + ": " + r.err().trim());
      }
      Harness.sleep(200);
    }
    assertTrue(launched.alive(), launched.describe());
    String summary = failures.size() + " of " + CHECKPOINTS + " checkpoints failed:\n  " + String.join("\n  ", failures);
    assertEquals(List.of(), failures, summary + "\n" + launched.describe());
  }
}
