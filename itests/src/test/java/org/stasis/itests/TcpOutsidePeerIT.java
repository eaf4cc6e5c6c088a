package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client under launch talking to a server that is not (examples' tcpflow echo and serve):
 * the checkpoint goes through without waiting on the outside peer, its result (dmtcp_command
 * -bc) names the connection that will come back closed, the client goes on after it; after SIGKILL and restart the client finds the connection closed by its peer: reading, it
 * meets end of file, says so and exits 1; writing, it gets SIGPIPE (status 141 from the
 * restart), as after any peer that went away. A warning names the program, its pid, the
 * descriptor and both addresses. With {@code --sockets-refuse-outside} the checkpoint is refused
 * instead, naming the connection, and the client goes on untouched.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpOutsidePeerIT extends ItBase {

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aConnectionToAnOutsidePeerComesBackClosedWithAWarning(RunAs who, TestInfo info) {
    harness(who, info);
    String port = String.valueOf(Harness.freePort());
    Harness.Bg outside = startOutsideServer(port);
    Program client = Program.at(Harness.EXAMPLES.resolve("tcpflow"), "echo", "127.0.0.1", port, "1000000");
    Harness.Bg running = h.launch(client);
    h.waitForValues(running, ROUNDS, 10, Harness.DEFAULT_WAIT);

    Harness.Result r = h.bcheckpoint(Duration.ofSeconds(30));
    assertEquals(0, r.exit(), r.describe());
    assertTrue(Pattern.compile("note: worker \\d+ \\(tcpflow, pid \\d+ on [^)]+\\): sockets: the TCP connection from "
        + "127\\.0\\.0\\.1:\\d+ to 127\\.0\\.0\\.1:" + port + " \\(descriptor 3\\) will come back closed at a restart")
        .matcher(r.out()).find(), "the checkpoint's result names the connection\n" + r.describe());
    long atCheckpoint = Series.last(ROUNDS.values(running.lines()));
    h.waitForOutput(running, lines -> Series.last(ROUNDS.values(lines)) >= atCheckpoint + 10, Harness.DEFAULT_WAIT,
        "the client to go on after the checkpoint");
    Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
    h.killProgram(client);

    Harness.Bg restarted = h.restart(h.image(client));
    int status = TreeItBase.exitStatus(restarted);
    String err = restarted.errText();
    assertTrue((status == 1 && err.contains("tcpflow: the peer closed the connection")) || status == 128 + 13,
        "the client must end on the closed connection (end of file, or SIGPIPE)\n" + restarted.describe());
    assertTrue(Pattern.compile("tcpflow \\(pid \\d+\\): the TCP connection from 127\\.0\\.0\\.1:\\d+ to 127\\.0\\.0\\.1:"
        + port + " \\(descriptor 3\\) comes back closed: its peer is not part of the computation").matcher(err).find(),
        "the warning\n" + restarted.describe());
    assertTrue(outside.alive(), "the outside server is untouched\n" + outside.describe());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void refuseOutsideRefusesTheCheckpointNamingTheConnection(RunAs who, TestInfo info) {
    harness(who, info);
    String port = String.valueOf(Harness.freePort());
    startOutsideServer(port);
    Program client = Program.at(Harness.EXAMPLES.resolve("tcpflow"), "echo", "127.0.0.1", port, "1000000");
    Harness.Bg running = h.launch(client, "--sockets-refuse-outside");
    h.waitForValues(running, ROUNDS, 10, Harness.DEFAULT_WAIT);

    Harness.Result r = h.command(Duration.ofSeconds(30), "-bc");
    assertTrue(r.exit() != 0, "the checkpoint must be refused\n" + r.describe());
    assertTrue(Pattern.compile("worker \\d+ \\(tcpflow, pid \\d+ on [^)]+\\) failed at PRECHECKPOINT: plugin sockets: "
        + "refused \\(--sockets-refuse-outside\\): the TCP connection from "
        + "127\\.0\\.0\\.1:\\d+ to 127\\.0\\.0\\.1:" + port + " \\(descriptor 3\\) leads outside the computation")
        .matcher(r.out() + r.err()).find(), "the refusal names the connection\n" + r.describe());
    long atRefusal = Series.last(ROUNDS.values(running.lines()));
    h.waitForOutput(running, lines -> Series.last(ROUNDS.values(lines)) >= atRefusal + 10, Harness.DEFAULT_WAIT,
        "the client to go on after the refusal");
    assertConsecutive(ROUNDS.values(running.lines()), "rounds", running);
  }

  /**
   * tcpflow serve on 127.0.0.1:port, not under launch; from a copy of its own, so that killing
   * the client (by its program) leaves the server alone.
   */
  private Harness.Bg startOutsideServer(String port) {
    String outsideServer = h.copyIn(Harness.EXAMPLES.resolve("tcpflow"), "outside-server").toString();
    Harness.Bg outside = h.start("outside", List.of(outsideServer, "serve", "127.0.0.1", port));
    h.waitForOutput(outside, lines -> lines.contains("serving 127.0.0.1 " + port), Duration.ofSeconds(30),
        "the outside server to listen");
    return outside;
  }
}
