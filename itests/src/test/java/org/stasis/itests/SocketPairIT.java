package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
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
 * A socketpair between a parent and its child (examples' sockpair), stream, SEQPACKET and
 * datagram, with numbered messages of different lengths in flight in both directions at every
 * checkpoint: two checkpoint, SIGKILL and restart cycles, then the run must end with every
 * message received once, in order, with its boundaries (the program checks each one and says
 * MISMATCH or READ FAILED otherwise), and the child must end well. With "keep" both processes
 * hold both ends, so each end has two holders and one of them must be elected to save its queue.
 * Without the sockets plugin the pair comes back closed and the parent stops with READ FAILED.
 * The same over a connection made through a listening Unix-domain name (a path, an abstract
 * name): the connection comes back with its data, and the name listens again after each restart
 * (a new client gets "hello"). The same in datagrams between two named sockets, the child
 * sending from an unnamed one connected to the parent's name. A stranger listening on the path at restart is named in a warning,
 * and the rest of the computation goes on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SocketPairIT extends TreeItBase {

  /** {@code <n> <type> queued=<bytes>}. */
  static final Series ROUNDS = new Series("round", Pattern.compile("^(\\d+) (\\S+) queued=\\d+$"));

  static final String ROUND_COUNT = "600";

  /** A socket type and whether both processes keep both ends. */
  enum Shape {
    STREAM("stream", "close"), SEQPACKET_BOTH_ENDS_SHARED("seqpacket", "keep"), DGRAM("dgram", "close"),
    THROUGH_A_PATH("path:", "close"), THROUGH_AN_ABSTRACT_NAME("abstract:", "close"),
    DATAGRAMS_THROUGH_PATHS("dgram-path:", "close");

    final String type;
    final String ends;

    Shape(String type, String ends) {
      this.type = type;
      this.ends = ends;
    }
  }

  static Stream<Arguments> shapes() {
    return RunAs.eachCase(List.of(Shape.values()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("shapes")
  void messagesInFlightBothWaysComeBackOnceInOrder(Shape shape, RunAs who, TestInfo info) {
    harness(who, info);
    // relative to the test's directory, the program's working directory (sun_path holds 107 bytes)
    String type = shape.type.endsWith("path:") ? shape.type + "server.sock"
        : shape.type.equals("abstract:") ? "abstract:stasis-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime()
        : shape.type;
    Harness.Bg running = h.launch(Program.c("sockpair", type, ROUND_COUNT, "20", "8", shape.ends));
    h.waitForValues(running, ROUNDS, 20, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 20);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertFalse(running.errText().contains("left closed"), "a socket was left closed\n" + running.describe());
      if (type.startsWith("path:") || type.startsWith("abstract:")) {
        String hello = helloFrom(type);
        assertTrue(hello.startsWith("hello "), "the name does not listen after restart " + cycle + ": " + hello
            + "\n" + running.describe());
      }
    }
    h.waitForOutput(running, lines -> lines.contains("done child-ok"), Duration.ofSeconds(90),
        "sockpair to finish with 'done child-ok'");
    assertConsecutive(ROUNDS.values(running.lines()), "rounds after the second restart", running);
    assertEquals(Long.parseLong(ROUND_COUNT), Series.last(ROUNDS.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), "exit status of the restarted sockpair\n" + running.describe());
    assertNothingLeft("sockpair");
  }

  /** What a new client connecting to the program's listening name reads. */
  private String helloFrom(String type) {
    String address = type.startsWith("path:") ? type.substring(5) : "@" + type.substring(9);
    Harness.Result r = h.run(Duration.ofSeconds(20), List.of("python3", "-c", "import socket, sys\n"
        + "a = sys.argv[1]\n"
        + "s = socket.socket(socket.AF_UNIX)\n"
        + "s.connect(chr(0) + a[1:] if a.startswith('@') else a)\n"
        + "print(s.recv(100).decode().strip())\n", address));
    return r.exit() == 0 ? r.out().strip() : "(client failed) " + r;
  }

  /**
   * Two named datagram sockets connected to each other, one per process, with 50 datagrams
   * waiting (more than a stranger may queue): all come back in order, still from the peer's
   * name, and the answer goes back the other way (examples' dgrampeers.py).
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(RunAs.class)
  void connectedDatagramPeersKeepEveryDatagramAndItsSender(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.script(Program.python3(), "dgrampeers.py", "50"));
    h.waitForOutput(running, lines -> lines.contains("queued 50"), Harness.DEFAULT_WAIT, "the child to queue 50");
    TreeCheckpoint c = checkpointTree(running, null);
    assertEquals(2, c.images().size(), "one image per process: " + c.images());
    killComputation();
    Harness.Bg restarted = restartWithScript();
    try {
      Files.writeString(h.dir().resolve("go"), ""); // the parent reads its queue once this exists
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    h.waitForOutput(restarted, lines -> lines.contains("done") || lines.stream().anyMatch(l -> l.startsWith("BAD")),
        Duration.ofSeconds(60), "dgrampeers to end");
    assertTrue(restarted.lines().contains("ok") && restarted.lines().contains("child got back"), restarted.describe());
    assertFalse(restarted.errText().contains("sockets:"), "a warning from the sockets plugin\n" + restarted.describe());
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(RunAs.class)
  void aStrangerListeningOnThePathAtRestartIsNamed(RunAs who, TestInfo info) {
    harness(who, info);
    String path = "server.sock"; // in the test's directory, the program's working directory
    Harness.Bg running = h.launch(Program.c("sockpair", "path:" + path, ROUND_COUNT, "20", "8", "close"));
    h.waitForValues(running, ROUNDS, 20, Harness.DEFAULT_WAIT);
    TreeCheckpoint c = checkpointTree(running, ROUNDS);
    killComputation();
    Harness.Bg stranger = h.start("stranger", List.of("python3", "-c", "import os, socket, sys, time\n"
        + "os.unlink(sys.argv[1])\n"
        + "s = socket.socket(socket.AF_UNIX)\n"
        + "s.bind(sys.argv[1])\n"
        + "s.listen(4)\n"
        + "print('listening', os.getpid(), flush=True)\n"
        + "time.sleep(120)\n", path));
    h.waitForOutput(stranger, lines -> lines.stream().anyMatch(l -> l.startsWith("listening")), Duration.ofSeconds(20),
        "the stranger to listen");
    String pid = stranger.lines().stream().filter(l -> l.startsWith("listening")).findFirst().get().split(" ")[1];
    Harness.Bg restarted = restartWithScript();
    List<Long> resumed = h.waitForValues(restarted, ROUNDS, 20, Harness.DEFAULT_WAIT);
    assertResumes(resumed, c.before(), c.after(), "rounds after the restart", restarted);
    String err = restarted.errText();
    assertTrue(err.contains("cannot listen on " + path + " again") && err.contains("process " + pid + " listens there"),
        "no warning naming the path and the stranger\n" + restarted.describe());
    killComputation();
    stranger.process.destroyForcibly();
  }
}
