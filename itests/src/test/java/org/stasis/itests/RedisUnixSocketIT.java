package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real server and a real client from Debian's packages talking over a Unix-domain socket:
 * {@code redis-server} listening on a path only (no TCP port) and {@code redis-cli} sending
 * INCR twenty times a second over one connection, each started by its own {@code dmtcp_launch}
 * joining one coordinator. Two checkpoint, SIGKILL and restart cycles: the client's numbers must
 * go on from the checkpoint with none lost or repeated (the connection came back, with the
 * server's state), a key written before the first checkpoint must still be there, and a new
 * client must reach the server on its path after each restart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisUnixSocketIT extends TreeItBase {

  static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
  static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");
  /** Relative to the test's directory, the programs' working directory (sun_path holds 107 bytes). */
  static final String SOCKET = "redis.sock";

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void serverAndClientGoOnWithTheirConnection(RunAs who, TestInfo info) {
    Assumptions.assumeTrue(Files.isExecutable(REDIS_SERVER) || System.getenv("CI") != null,
        "redis-server is not installed (apt-get install redis-server; .ci/run does)");
    harness(who, info);
    assertTrue(Files.isExecutable(REDIS_SERVER) && Files.isExecutable(REDIS_CLI), "redis-server or redis-cli is missing");
    // One coordinator that both launches and every restart join.
    h.startDaemonCoordinator();
    Harness.Bg server = h.start("server", List.of(Harness.bin("dmtcp_launch").toString(), "-j", "-p",
        String.valueOf(h.port()), REDIS_SERVER.toString(), "--port", "0", "--unixsocket", SOCKET,
        "--save", "", "--appendonly", "no"));
    h.waitUntil(() -> cli("PING").equals("PONG"), Duration.ofSeconds(60),
        "redis-server to answer on " + SOCKET + "\n" + server.describe());
    assertEquals("OK", cli("SET", "greeting", "kept"));
    Harness.Bg client = h.start("client", List.of(Harness.bin("dmtcp_launch").toString(), "-j", "-p",
        String.valueOf(h.port()), REDIS_CLI.toString(), "-s", SOCKET, "-r", "-1", "-i", "0.05", "INCR", "counter"));
    h.waitForValues(client, Series.COUNT, 20, Harness.DEFAULT_WAIT);

    Harness.Bg running = client;
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, Series.COUNT, 20);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed"), "a socket was left closed\n" + running.describe());
      assertEquals("kept", cli("GET", "greeting"), "the server's data after restart " + cycle + "\n" + running.describe());
      long counter = Long.parseLong(cli("GET", "counter"));
      assertTrue(counter >= Series.last(Series.COUNT.values(running.lines())),
          "the server's counter " + counter + " is behind the client's numbers\n" + running.describe());
    }
    assertConsecutive(Series.COUNT.values(running.lines()), "the client's numbers after the second restart", running);
    killComputation();
  }

  /**
   * The server too: redis-server rewrites its process title over its environment, so the test's
   * mark is gone from there; it is found by name and working directory instead.
   */
  @Override
  Set<Long> killComputation() {
    Set<Long> killed = new TreeSet<>();
    Path dir = h.dir().toAbsolutePath();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .filter(p -> Harness.comm(Long.parseLong(p.getFileName().toString())).equals("redis-server"))
          .filter(p -> {
            try {
              return Files.readSymbolicLink(p.resolve("cwd")).equals(dir);
            } catch (IOException e) {
              return false; // gone, or not ours
            }
          })
          .forEach(p -> killed.add(Long.parseLong(p.getFileName().toString())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(1, killed.size(), "one redis-server working in " + dir + ": " + killed);
    // Both at once: the client ends by itself when it loses the server.
    computation().forEach(p -> killed.add(p.pid()));
    killed.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    h.waitUntil(() -> killed.stream().noneMatch(Harness::isAlive) && computation().isEmpty(), Duration.ofSeconds(20),
        "the server and the client to die");
    return killed;
  }

  /** The answer of a new redis-cli (not under Stasis) to one command, trimmed. */
  private String cli(String... command) {
    List<String> cmd = new ArrayList<>(List.of(REDIS_CLI.toString(), "-s", SOCKET));
    cmd.addAll(List.of(command));
    Harness.Result r = h.run(Duration.ofSeconds(20), cmd);
    return r.exit() == 0 ? r.out().strip() : "(redis-cli failed) " + r.describe();
  }
}
