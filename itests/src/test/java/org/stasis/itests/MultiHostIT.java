package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A computation on two hosts (itests/hosts/test-hosts: namespaces with their own addresses, host
 * names and sshd): the coordinator on head, a TCP server (examples' tcpflow, a child per
 * connection) on node1 and its echo client on node2, each started by its own
 * {@code dmtcp_launch -h head}, the coordinator's secret reaching them through the shared home.
 * Two checkpoint / SIGKILL / restart cycles, the restart script run on head starting each host's
 * restorer with ssh: on the hosts they ran on, swapped (a host file), and all on node1. The rounds
 * go on with every answer checked, and each process is found on the host it was sent to.
 * Swapped, the server listens on node1's own address, which its new host lacks: it listens on
 * every address there, and says so.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MultiHostIT extends TreeItBase {

  enum Placement { SAME_HOSTS, SWAPPED, ALL_ON_NODE1 }

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+)$"));

  /** The port the test's server listens on. */
  private String serverPort;

  static Stream<Arguments> placements() {
    return RunAs.eachCase(List.of(Placement.values()));
  }

  @BeforeAll
  static void hostsUp() {
    String why = TestHosts.unavailable();
    assumeTrue(why == null, why);
    TestHosts.up();
  }

  @AfterAll
  static void hostsDown() {
    TestHosts.down();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("placements")
  void aTcpPairAcrossTwoHostsGoesOnWhereverItRestarts(Placement placement, RunAs who, TestInfo info) {
    harness(who, info);
    // swapped, a server listening on node1's own address comes back where that address is not
    String listenOn = placement == Placement.SWAPPED ? TestHosts.NODE1_ADDRESS : "0.0.0.0";
    Harness.Bg running = startPair(listenOn);
    String sshConfig = TestHosts.sshConfig(h.account().name());
    String serverHost = "node1";
    String clientHost = "node2";
    for (int cycle = 1; cycle <= 2; cycle++) {
      long before = Series.last(ROUNDS.values(running.lines()));
      checkpoint();
      long after = Series.last(ROUNDS.values(running.lines()));
      Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
      killComputation();
      Harness.assertNoBadMarkers(running, running.lines());
      Harness.Bg restarted = restartScript(sshConfig, hostFile(placement));
      List<Long> resumed = h.waitForValues(restarted, ROUNDS, 10, Harness.DEFAULT_WAIT);
      assertResumes(resumed, before, after, "rounds after restart " + cycle + " (" + placement + ")", restarted);
      assertFalse(restarted.errText().contains("left closed") || restarted.errText().contains("comes back closed"),
          "a connection was not made again\n" + restarted.describe());
      if (placement == Placement.SWAPPED) { // each host's processes to the other one
        String was = serverHost;
        serverHost = clientHost;
        clientHost = was;
      } else if (placement == Placement.ALL_ON_NODE1) {
        serverHost = "node1";
        clientHost = "node1";
      }
      assertPlaced(serverHost, clientHost, placement + " restart " + cycle, restarted);
      if (placement == Placement.SWAPPED && cycle == 1) {
        assertTrue(restarted.errText().contains("listens on every address of this host, port "
            + serverPort + ": its address " + listenOn + ":" + serverPort + " is not here"),
            "no word of the listener's address\n" + restarted.describe());
      }
      running = restarted;
    }
    Harness.assertNoBadMarkers(running, running.lines());
    killComputation();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aHostThatDoesNotComeBackEndsTheRestartNamingWhatIsMissing(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = startPair();
    checkpoint();
    killComputation();
    Harness.assertNoBadMarkers(running, running.lines());
    // node1's images go to node1, node2's to a host that does not answer
    Path hosts = write("hosts-one-missing", "node1\nnode9\n");
    Harness.Bg restarted = restartScript(TestHosts.sshConfig(h.account().name()), hosts);
    int status = exitStatus(restarted, Duration.ofSeconds(90));
    String err = restarted.errText();
    assertNotEquals(0, status, restarted.describe());
    assertTrue(err.contains("the restart on node9 ended with status 255"), "the unreachable host is not named\n"
        + restarted.describe());
    // the restarted server and its child (node1) give up, naming the client they waited for
    assertTrue(err.contains("1 is missing: tcpflow (pid "), "the missing process is not named\n"
        + restarted.describe());
    assertTrue(computation().isEmpty(), "processes left after a refused restart:\n" + describe(computation()));
  }

  /** The server on node1, its echo client on node2, both running; the client's output. */
  private Harness.Bg startPair() {
    return startPair("0.0.0.0");
  }

  private Harness.Bg startPair(String listenOn) {
    Harness.Result coordinator = h.runOn("head", Duration.ofSeconds(60),
        List.of(Harness.bin("dmtcp_coordinator").toString(), "--daemon", "-p", String.valueOf(h.port())));
    assertEquals(0, coordinator.exit(), "the coordinator did not start on head\n" + coordinator.describe());
    String port = String.valueOf(Harness.freePort());
    serverPort = port;
    Harness.Bg server = h.startOn("node1", "server", launch("serve", listenOn, port), Map.of());
    h.waitForOutput(server, lines -> lines.contains("serving " + listenOn + " " + port), Duration.ofSeconds(60),
        "the server to listen on node1");
    Harness.Bg client = h.startOn("node2", "client", launch("echo", TestHosts.NODE1_ADDRESS, port, "1000000"),
        Map.of());
    h.waitForValues(client, ROUNDS, 10, Harness.DEFAULT_WAIT);
    return client;
  }

  private List<String> launch(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Harness.bin("dmtcp_launch").toString(), "-j", "-h", "head", "-p",
        String.valueOf(h.port()), Harness.EXAMPLES.resolve("tcpflow").toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void checkpoint() {
    Harness.Result r = h.runOn("head", Duration.ofSeconds(120),
        List.of(Harness.bin("dmtcp_command").toString(), "-p", String.valueOf(h.port()), "-bc"));
    assertEquals(0, r.exit(), "the checkpoint failed\n" + r.describe());
  }

  private Harness.Bg restartScript(String sshConfig, Path hostFile) {
    List<String> cmd = new ArrayList<>(List.of("./dmtcp_restart_script.sh"));
    if (hostFile != null) {
      cmd.addAll(List.of("--hostfile", hostFile.toString()));
    }
    return h.startOn("head", "restart", cmd, Map.of("STASIS_REMOTE_SHELL", "ssh -F " + sshConfig));
  }

  private Path hostFile(Placement placement) {
    return switch (placement) {
      case SAME_HOSTS -> null;
      case SWAPPED -> write("hosts-swapped", "# the server's host first, as the script lists them\nnode2\nnode1\n");
      case ALL_ON_NODE1 -> write("hosts-one", "node1\n");
    };
  }

  private Path write(String name, String text) {
    try {
      Path p = Files.writeString(h.dir().resolve(name), text);
      h.chown(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server and its child run on serverHost, the client on clientHost. */
  private void assertPlaced(String serverHost, String clientHost, String when, Harness.Bg restarted) {
    Map<String, String> nets = new TreeMap<>(Map.of("node1", TestHosts.netOf("node1"), "node2",
        TestHosts.netOf("node2")));
    List<Proc> procs = computation().stream().filter(p -> p.comm().equals("tcpflow")).toList();
    assertEquals(3, procs.size(), "the server, its child and the client\n" + describe(procs));
    for (Proc p : procs) {
      boolean client = Harness.cmdline(p.pid()).contains(" echo ");
      String want = client ? clientHost : serverHost;
      assertEquals(nets.get(want), TestHosts.netOf(p.pid()), (client ? "the client" : "the server")
          + " is not on " + want + " after " + when + "\n" + describe(procs) + restarted.describe());
    }
  }
}
