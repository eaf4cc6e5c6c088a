package org.stasis.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * count.js: Node.js (Debian's nodejs) counting on a setInterval timer with a 100k-entry Map it
 * verifies every step, restarted twice. V8 marks its heap and code MADV_DONTFORK, which the
 * copy-on-write image writer once lost: every restart died of SIGSEGV in V8.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NodeCountIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void nodeCountContinuesAcrossTwoRestarts(RunAs who, TestInfo info) {
    var found = Program.node();
    Assumptions.assumeTrue(found.isPresent(),
        "skipped: no Node.js at /usr/bin/node (install Debian's nodejs, or set -Dstasis.itest.node=PATH)");
    harness(who, info);
    Program node = found.get();
    Harness.Bg launched = h.launch(node);
    h.waitForValues(launched, Series.COUNT, 10, Duration.ofSeconds(60));

    Cycle first = checkpointKillRestart(launched, node, Series.COUNT, 15);
    h.waitForValues(first.restarted(), Series.COUNT, 20, Duration.ofSeconds(30));
    checkpointKillRestart(first.restarted(), node, Series.COUNT, 15);
  }
}
