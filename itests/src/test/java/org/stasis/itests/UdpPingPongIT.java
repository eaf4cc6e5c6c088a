package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * UDP ping-pong (examples' udppeers) over IPv4 and IPv6 loopback, server and client each
 * started by its own {@code dmtcp_launch} joining one coordinator: the client (connected) keeps
 * a round of sixteen datagrams ahead of the answers, the server (unconnected, answering by
 * recvfrom's address) answers 1 ms apart, so datagrams wait at both ends at every checkpoint.
 * Two checkpoint, SIGKILL and restart cycles: the rounds go on with none lost, repeated or
 * damaged (loopback loses none by itself), each waiting datagram comes back from its sender's
 * address (else the connected client would drop the server's answers), and the server answers
 * a new client after each restart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UdpPingPongIT extends TreeItBase {

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+)$"));

  static Stream<Arguments> families() {
    return RunAs.eachCase(List.of("127.0.0.1", "::1"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("families")
  void datagramsWaitingAtBothEndsComeBackFromTheirSenders(String address, RunAs who, TestInfo info) {
    harness(who, info);
    String port = String.valueOf(Harness.freePort());
    h.startDaemonCoordinator();
    Harness.Bg server = h.start("server", launch("serve", address, port));
    h.waitForOutput(server, lines -> lines.contains("serving " + address + " " + port), Duration.ofSeconds(60),
        "the server to be bound");
    Harness.Bg running = h.start("client", launch("ping", address, port, "1000000"));
    h.waitForValues(running, ROUNDS, 10, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 10);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed") || running.errText().contains("another address")
          || running.errText().contains("did not fit back"), "a datagram or socket was not restored\n" + running.describe());
      Harness.Result fresh = h.run(Duration.ofSeconds(60), List.of(Harness.EXAMPLES.resolve("udppeers").toString(),
          "ping", address, port, "3"));
      assertTrue(fresh.exit() == 0 && fresh.out().contains("done"),
          "a new client after restart " + cycle + ":\n" + fresh.describe() + running.describe());
    }
    List<String> lines = running.lines();
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MISMATCH") || l.startsWith("LOST")), running.describe());
    assertConsecutive(ROUNDS.values(lines), "rounds after the second restart", running);
    killComputation();
  }

  private List<String> launch(String... args) {
    List<String> program = new ArrayList<>(List.of(Harness.EXAMPLES.resolve("udppeers").toString()));
    program.addAll(List.of(args));
    return h.joining(program);
  }
}
