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
 * A server and a client with many TCP connections, written as users of two runtimes write them:
 * Python's asyncio (examples' chat.py over tcp:127.0.0.1, 600 connections) and Java's java.nio
 * (NioChat, a Selector server; a client with 20 blocking sockets). Each is started by its own
 * {@code dmtcp_launch} joining one coordinator; two checkpoint, SIGKILL and restart cycles:
 * the rounds go on from the checkpoint with every answer checked, and the restored listener
 * serves a new client after each restart. Both run under the soft descriptor limit of a user's
 * shell (1024).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpChatIT extends TreeItBase {

  enum Runtime { PYTHON_ASYNCIO, JAVA_NIO }

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+)$"));

  static Stream<Arguments> runtimes() {
    return RunAs.eachCase(List.of(Runtime.values()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("runtimes")
  void aServerAndItsClientGoOnAcrossRestarts(Runtime runtime, RunAs who, TestInfo info) {
    harness(who, info);
    String port = String.valueOf(Harness.freePort());
    h.startDaemonCoordinator();
    Harness.Bg server = h.start("server", usersLimit(h.joining(program(runtime, serve(runtime, port)))));
    h.waitForOutput(server, lines -> lines.stream().anyMatch(l -> l.startsWith("serving")), Duration.ofSeconds(60),
        "the server to listen");
    // asyncio with 600 connections: a thousand sockets in two processes, most of them idle
    String connections = runtime == Runtime.PYTHON_ASYNCIO ? "600" : "20";
    Harness.Bg running = h.start("client",
        usersLimit(h.joining(program(runtime, talk(runtime, port, connections, "1000000")))));
    h.waitForValues(running, ROUNDS, 10, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 10);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed") || running.errText().contains("comes back closed"),
          "a socket was not made again\n" + running.describe());
      Harness.Result fresh = h.run(Duration.ofSeconds(60), program(runtime, talk(runtime, port, "2", "3")));
      assertTrue(fresh.exit() == 0 && fresh.out().contains("done"),
          "a new client after restart " + cycle + ":\n" + fresh.describe() + running.describe());
    }
    List<String> lines = running.lines();
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MISMATCH") || l.startsWith("READ FAILED")),
        running.describe());
    assertConsecutive(ROUNDS.values(lines), "rounds after the second restart", running);
    killComputation();
  }

  /**
   * The command under the soft descriptor limit of most users' shells (1024), which the restored
   * processes keep: 600 connections leave little room for the sockets plugin's own descriptors
   * while it makes them again.
   */
  private static List<String> usersLimit(List<String> cmd) {
    List<String> wrapped = new ArrayList<>(List.of("bash", "-c", "ulimit -Sn 1024 && exec \"$@\"", "bash"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  private static List<String> serve(Runtime runtime, String port) {
    return runtime == Runtime.PYTHON_ASYNCIO ? List.of("serve", "tcp:127.0.0.1:" + port)
        : List.of("serve", "127.0.0.1", port);
  }

  private static List<String> talk(Runtime runtime, String port, String connections, String rounds) {
    return runtime == Runtime.PYTHON_ASYNCIO ? List.of("talk", "tcp:127.0.0.1:" + port, connections, rounds)
        : List.of("talk", "127.0.0.1", port, connections, rounds);
  }

  private static List<String> program(Runtime runtime, List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (runtime == Runtime.PYTHON_ASYNCIO) {
      cmd.addAll(List.of(Program.python3().toString(), Harness.EXAMPLES.resolve("chat.py").toString()));
    } else {
      cmd.addAll(List.of(Program.javaExecutable().orElseThrow().toString(), "-Xmx64m", "-cp",
          Harness.EXAMPLES.resolve("count.jar").toString(), "NioChat"));
    }
    cmd.addAll(args);
    return cmd;
  }
}
