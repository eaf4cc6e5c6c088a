package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An epoll-based TCP server and 100 client processes, one connection each (examples' tcphub),
 * all in one computation (server and clients started by their own {@code dmtcp_launch}): two
 * checkpoint, SIGKILL and restart cycles; every client's count goes on, none lost or repeated,
 * the server checking each connection's numbers as well.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpHubIT extends TreeItBase {

  static final int CLIENTS = 100;
  static final Pattern COUNT = Pattern.compile("^client (\\d+) count (\\d+)$");
  static final Series FIRST_CLIENT = new Series("client 1 count", Pattern.compile("^client 1 count (\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void hundredClientsOfAnEpollServerGoOn(RunAs who, TestInfo info) {
    harness(who, info);
    String port = String.valueOf(Harness.freePort());
    h.startDaemonCoordinator();
    Harness.Bg server = h.start("server", launch("serve", "127.0.0.1", port));
    h.waitForOutput(server, lines -> lines.contains("serving 127.0.0.1 " + port), Duration.ofSeconds(60),
        "the server to listen");
    Harness.Bg running = h.start("clients", launch("clients", "127.0.0.1", port, String.valueOf(CLIENTS), "1000000"));
    h.waitForOutput(running, lines -> counts(lines).size() == CLIENTS, Duration.ofSeconds(90),
        "every client to count");
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, FIRST_CLIENT, 2);
      // the server, the clients' parent, the clients
      assertEquals(CLIENTS + 2, c.checkpoint().images().size(), "one image per process");
      running = c.restarted();
      assertFalse(running.errText().contains("left closed") || running.errText().contains("comes back closed"),
          "a socket was not made again\n" + running.describe());
    }
    Harness.Bg last = running;
    h.waitForOutput(last, lines -> counts(lines).size() == CLIENTS
        && counts(lines).values().stream().allMatch(v -> v.size() >= 3), Duration.ofSeconds(90),
        "every client to count three times after the second restart");
    List<String> lines = last.lines();
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("MISMATCH") || l.startsWith("CLOSED")), last.describe());
    counts(lines).forEach((client, values) -> assertConsecutive(values, "client " + client + "'s count", last));
    killComputation();
  }

  /** Each client's counts, in the order printed. */
  private static Map<Integer, List<Long>> counts(List<String> lines) {
    Map<Integer, List<Long>> counts = new HashMap<>();
    for (String line : lines) {
      Matcher m = COUNT.matcher(line);
      if (m.matches()) {
        counts.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
      }
    }
    return counts;
  }

  private List<String> launch(String... args) {
    List<String> program = new ArrayList<>(List.of(Harness.EXAMPLES.resolve("tcphub").toString()));
    program.addAll(List.of(args));
    return h.joining(program);
  }
}
