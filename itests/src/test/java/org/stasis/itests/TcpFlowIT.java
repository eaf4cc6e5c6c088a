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
 * A TCP server (examples' tcpflow, a child process per connection) and two clients, each
 * started by its own {@code dmtcp_launch} joining one coordinator (the server through
 * {@code env}, the bulk sender through {@code bash -c 'exec ...'}), over IPv4 and IPv6 loopback:
 * an echo client keeps a round of sixteen 4 KiB messages ahead of the answers it checks, so
 * data is in flight both ways at every checkpoint; a bulk client sends 64 MiB to a server child
 * that reads slowly, so megabytes wait in both kernels' buffers. Two checkpoint, SIGKILL and
 * restart cycles: the rounds go on from the checkpoint, every byte arrives in order (the server
 * checks each), the checksums match, and the restored listener serves a new client.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpFlowIT extends TreeItBase {

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+)$"));
  static final Series SENT = new Series("sent", Pattern.compile("^sent (\\d+)$"));

  static Stream<Arguments> families() {
    return RunAs.eachCase(List.of("127.0.0.1", "::1"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("families")
  void echoAndBulkTransferGoOnAcrossRestarts(String address, RunAs who, TestInfo info) {
    harness(who, info);
    String port = String.valueOf(Harness.freePort());
    h.startDaemonCoordinator();
    // as users start programs: the server through env, the bulk sender through a shell's exec
    Harness.Bg server = h.start("server", h.joining(List.of("env", "TCPFLOW_ROLE=server",
        Harness.EXAMPLES.resolve("tcpflow").toString(), "serve", address, port)));
    h.waitForOutput(server, lines -> lines.contains("serving " + address + " " + port), Duration.ofSeconds(60),
        "the server to listen");
    Harness.Bg echo = h.start("echo", launch("echo", address, port, "1000000"));
    h.waitForValues(echo, ROUNDS, 10, Harness.DEFAULT_WAIT);
    Harness.Bg bulk = h.start("bulk", h.joining(List.of("bash", "-c", "exec \"$0\" send \"$1\" \"$2\" 64",
        Harness.EXAMPLES.resolve("tcpflow").toString(), address, port)));
    h.waitForValues(bulk, SENT, 12, Harness.DEFAULT_WAIT);

    Harness.Bg running = echo;
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 10);
      // the server, its two children (one per connection), the two clients
      assertEquals(5, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed") || running.errText().contains("comes back closed"),
          "a socket was not made again\n" + running.describe());
      Harness.Result fresh = h.run(Duration.ofSeconds(60), List.of(Harness.EXAMPLES.resolve("tcpflow").toString(),
          "echo", address, port, "5"));
      assertTrue(fresh.exit() == 0 && fresh.out().contains("done"),
          "a new client after restart " + cycle + ":\n" + fresh.describe() + running.describe());
    }
    Harness.Bg last = running;
    h.waitForOutput(last, lines -> lines.stream().anyMatch(l -> l.startsWith("checksum")), Duration.ofSeconds(120),
        "the bulk transfer to end");
    List<String> lines = last.lines();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("checksum match")), "checksums\n" + last.describe());
    assertTrue(lines.stream().anyMatch(l -> l.matches("checksum [0-9a-f]{16} of 67108864 bytes")),
        "the server's count of bytes\n" + last.describe());
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MISMATCH")), last.describe());
    assertConsecutive(ROUNDS.values(lines), "rounds after the second restart", last);
    killComputation();
  }

  private List<String> launch(String... args) {
    List<String> program = new ArrayList<>(List.of(Harness.EXAMPLES.resolve("tcpflow").toString()));
    program.addAll(List.of(args));
    return h.joining(program);
  }
}
