package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * vids: after each of two checkpoint / SIGKILL / restart cycles the program's ids still agree
 * everywhere: CPU clock ids of itself, its child and its thread (made before and after the
 * restart), /proc paths naming its pid, its child's pid and its thread's tid, si_pid of the
 * child's signals (handlers and sigtimedwait), ssi_pid of the child's signal and of its exit's
 * SIGCHLD read from a signalfd, waitpid of a running child, and a waitpid that
 * was blocked through both restarts. Every tick runs every check; a failed one prints FAIL.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class VirtualIdsIT extends TreeItBase {

  static final Series TICKS = new Series("tick", Pattern.compile("^tick (\\d+)$"));
  static final Pattern CHILDREN = Pattern.compile("^child (\\d+) sleeper (\\d+)$");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void idsAgreeAfterTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("vids", "150", "200"));
    h.waitForValues(running, TICKS, 5, Harness.DEFAULT_WAIT);
    String child = null;
    String sleeper = null;
    for (String line : running.lines()) {
      Matcher m = CHILDREN.matcher(line);
      if (m.matches()) {
        child = m.group(1);
        sleeper = m.group(2);
      }
    }
    assertTrue(child != null, "the children's pids\n" + running.describe());
    assertNoFailures(running, "before the first checkpoint");
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, TICKS, 10);
      assertEquals(3, c.checkpoint().images().size(), "three images: the program and its two children");
      running = c.restarted();
      assertNoFailures(running, "after restart " + cycle);
    }
    h.waitForOutput(running, lines -> lines.stream().anyMatch(l -> l.startsWith("done")), Duration.ofSeconds(90),
        "vids to finish");
    assertNoFailures(running, "at the end");
    List<String> lines = running.lines();
    assertTrue(lines.contains("reaped child " + child + " exit 0"), running.describe());
    assertTrue(lines.contains("waited sleeper " + sleeper + " exit 4"), running.describe());
    assertTrue(lines.contains("sigchld from " + child + " exited 0"), "SIGCHLD through the signalfd\n"
        + running.describe());
    assertTrue(lines.contains("done"), running.describe());
    assertEquals(0, exitStatus(running), running.describe());
    assertNothingLeft("vids");
  }

  private static void assertNoFailures(Harness.Bg bg, String when) {
    List<String> failed = bg.lines().stream().filter(l -> l.startsWith("FAIL")).toList();
    assertTrue(failed.isEmpty(), when + ":\n" + String.join("\n", failed) + "\n" + bg.describe());
  }
}
