package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The harness itself (no Stasis needed): the account switch, the minimal environment, the
 * writable work directory, and cleanup of detached processes and port listeners.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HarnessSelfIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void runsAsTheRightAccountWithAMinimalEnvironment(RunAs who, TestInfo info) throws IOException {
    h = Harness.create(who, info, false);
    Harness.Result id = h.run(Duration.ofSeconds(10), List.of("id", "-u"));
    assertEquals(String.valueOf(h.account().uid()), id.out().trim(), id.describe());

    Harness.Result env = h.run(Duration.ofSeconds(10), List.of("env"));
    List<String> vars = List.of(env.out().split("\n"));
    assertTrue(vars.contains("HOME=" + h.account().home()), env.describe());
    assertTrue(vars.stream().anyMatch(v -> v.startsWith("PATH=" + Harness.STASIS_HOME.resolve("bin") + ":")), env.describe());
    assertTrue(vars.stream().anyMatch(v -> v.startsWith("STASIS_ITEST_TAG=")), env.describe());
    assertTrue(vars.contains("TMPDIR=" + h.dir().resolve("tmp")), env.describe());

    Harness.Result write = h.run(Duration.ofSeconds(10), List.of("/bin/sh", "-c", "echo hello > made-here && cat made-here"));
    assertEquals("hello\n", write.out(), write.describe());
    assertEquals(h.account().uid(), Files.getAttribute(h.dir().resolve("made-here"), "unix:uid"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void cleanupKillsDetachedProcessesAndListeners(RunAs who, TestInfo info) {
    h = Harness.create(who, info, false);
    // a daemon-like grandchild in its own session: not a descendant we could track by pid
    Harness.Result detach = h.run(Duration.ofSeconds(10),
        List.of("/bin/sh", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!"));
    long daemon = Long.parseLong(detach.out().trim());
    Harness.Bg sleeper = h.start("sleeper", List.of("sleep", "600"));
    int port = h.freshPort();
    Path py = Program.python3();
    Harness.Bg listener = h.start("listener", List.of(py.toString(), "-c",
        "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1'," + port + "))\ns.listen()\nprint('up',flush=True)\ntime.sleep(600)"));
    h.waitForOutput(listener, l -> l.contains("up") && !h.listenersOn(port).isEmpty(), Duration.ofSeconds(20),
        "a listener on " + port);

    Set<Long> marked = h.markedPids();
    assertTrue(marked.contains(daemon), "detached process not found by tag: " + marked);
    // with setpriv the started pid is the command itself; runuser stays as its parent
    assertTrue(marked.contains(sleeper.process.pid())
        || sleeper.process.descendants().anyMatch(d -> marked.contains(d.pid())),
        "background process not found by tag: " + marked);
    assertTrue(marked.containsAll(h.listenersOn(port)));

    h.killEverything();
    assertFalse(Harness.isAlive(daemon), "detached process survived cleanup");
    assertTrue(h.markedPids().isEmpty(), Harness.describeProcesses(h.markedPids()));
    assertTrue(h.listenersOn(port).isEmpty());
  }
}
