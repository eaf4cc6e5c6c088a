package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * netwatch.py: a Python counter that keeps a NETLINK_ROUTE socket bound to the link and address
 * groups and asks the kernel for the list of links through it every step. Restarted twice, the
 * socket must be there again with its groups, and answer (it says NETLINK BROKEN otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NetlinkIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aNetlinkSocketIsMadeAgainWithItsGroups(RunAs who, TestInfo info) {
    harness(who, info);
    Program py = Program.script(Program.python3(), "netwatch.py");
    Harness.Bg launched = h.launch(py);
    h.waitForValues(launched, Series.COUNT, 10, Harness.DEFAULT_WAIT);

    Cycle first = checkpointKillRestart(launched, py, Series.COUNT, 15);
    assertFalse(first.restarted().errText().contains("left closed"), first.restarted().describe());
    h.waitForValues(first.restarted(), Series.COUNT, 20, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), py, Series.COUNT, 15);
    assertFalse(second.restarted().lines().stream().anyMatch(l -> l.startsWith("NETLINK BROKEN")),
        second.restarted().describe());
  }
}
