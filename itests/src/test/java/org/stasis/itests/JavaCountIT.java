package org.stasis.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Count.java in a JVM with -Xmx64m (GC, JIT and a dozen threads), restarted twice. */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JavaCountIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void javaCountContinuesAcrossTwoRestarts(RunAs who, TestInfo info) {
    Assumptions.assumeTrue(Program.javaExecutable().isPresent(),
        "skipped: no java executable in " + System.getProperty("java.home") + "/bin");
    harness(who, info);
    Program java = Program.java();
    Harness.Bg launched = h.launch(java);
    h.waitForValues(launched, Series.COUNT, 10, Duration.ofSeconds(90));

    Cycle first = checkpointKillRestart(launched, java, Series.COUNT, 15, Duration.ofSeconds(120),
        Duration.ofSeconds(90));
    h.waitForValues(first.restarted(), Series.COUNT, 20, Duration.ofSeconds(30));
    checkpointKillRestart(first.restarted(), java, Series.COUNT, 15, Duration.ofSeconds(120),
        Duration.ofSeconds(90));
  }
}
