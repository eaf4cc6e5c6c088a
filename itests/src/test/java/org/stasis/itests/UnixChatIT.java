package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Python asyncio server and a client with 100 connections to it over a Unix-domain path
 * (examples' chat.py), each started by its own {@code dmtcp_launch} joining one coordinator:
 * two checkpoint, SIGKILL and restart cycles. Every round the client sends a number on each
 * connection and checks each answer (it says MISMATCH or READ FAILED otherwise), so the rounds
 * must go on from the checkpoint, none lost or repeated, with all 100 connections and the
 * server's epoll back; after each restart a new client must be served on the path too.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnixChatIT extends TreeItBase {

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+)$"));
  /** Relative to the test's directory, the programs' working directory (sun_path holds 107 bytes). */
  static final String SOCKET = "chat.sock";

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void hundredConnectionsOfAnAsyncioServerGoOn(RunAs who, TestInfo info) {
    harness(who, info);
    h.startDaemonCoordinator();
    Harness.Bg server = h.start("server", launch("serve", SOCKET));
    h.waitForOutput(server, lines -> lines.contains("serving " + SOCKET), Duration.ofSeconds(60),
        "the server to listen");
    Harness.Bg running = h.start("client", launch("talk", SOCKET, "100", "100000"));
    h.waitForValues(running, ROUNDS, 10, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 10);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed"), "a socket was left closed\n" + running.describe());
      Harness.Result fresh = h.run(Duration.ofSeconds(60), List.of(Program.python3().toString(),
          Harness.EXAMPLES.resolve("chat.py").toString(), "talk", SOCKET, "3", "5"));
      assertTrue(fresh.exit() == 0 && fresh.out().contains("done"),
          "a new client after restart " + cycle + ":\n" + fresh.describe() + running.describe());
    }
    List<String> lines = running.lines();
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MISMATCH") || l.startsWith("READ FAILED")),
        running.describe());
    assertConsecutive(ROUNDS.values(lines), "rounds after the second restart", running);
    killComputation();
  }

  private List<String> launch(String... args) {
    List<String> program = new ArrayList<>(List.of(Program.python3().toString(), Harness.EXAMPLES.resolve("chat.py").toString()));
    program.addAll(List.of(args));
    return h.joining(program);
  }
}
