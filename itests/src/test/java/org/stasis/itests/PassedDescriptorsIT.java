package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Descriptors handed from one process to another with SCM_RIGHTS and then held only by the one
 * that received them, as pre-fork servers and socket-activated services do (examples' fdpass: a
 * TCP connection's accepted end and a pipe's write end go to the child, the parent keeps the
 * other ends). Two checkpoint / SIGKILL / restart cycles: the rounds go on through the received
 * socket and pipe, every value checked. Descriptors still in flight at the checkpoint are not
 * kept yet: the checkpoint's result and the restart say so.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PassedDescriptorsIT extends TreeItBase {

  static final Series COUNTS = new Series("count", Pattern.compile("^count (\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void descriptorsReceivedFromAnotherProcessComeBack(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("fdpass"));
    h.waitForValues(running, COUNTS, 10, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, COUNTS, 10);
      assertEquals(2, c.checkpoint().images().size(), "the parent and its child: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed") || running.errText().contains("not restored"),
          "a received descriptor did not come back\n" + running.describe());
    }
    Harness.assertNoBadMarkers(running, running.lines());
    killComputation();
  }

  /**
   * Not kept yet: descriptors sent but not received at the checkpoint. The checkpoint's result
   * says so, and the restart warns.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void descriptorsInFlightAreNamedAtTheCheckpointAndAtTheRestart(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("fdpass", "0", "late"));
    h.waitForOutput(running, lines -> lines.contains("sent"), Duration.ofSeconds(60), "the descriptors to be sent");
    Harness.Result r = h.bcheckpoint(Duration.ofSeconds(60));
    assertEquals(0, r.exit(), r.describe());
    assertTrue(Pattern.compile("note: worker \\d+ \\(fdpass, pid \\d+ on [^)]+\\): sockets: descriptors in flight to "
        + "socket:\\[\\d+\\] \\(SCM_RIGHTS, sent but not yet received\\) will not come back at a restart")
        .matcher(r.out()).find(), "no note about the descriptors in flight\n" + r.describe());
    killComputation();
    Harness.Bg restarted = restartWithScript();
    h.waitForOutput(restarted, lines -> restarted.errText().contains("(SCM_RIGHTS) were not kept"),
        Duration.ofSeconds(60), "the restart's warning");
    // The connection whose accepted end was in flight has no holder: the parent's end comes back
    // closed (as the checkpoint's result said too), the parent stops and kills its child.
    assertTrue(exitStatus(restarted) != 0, restarted.describe());
    assertTrue(restarted.errText().contains("comes back closed: its peer is not part of the computation"),
        restarted.describe());
    assertTrue(computation().isEmpty(), "left behind:\n" + describe(computation()));
  }
}
