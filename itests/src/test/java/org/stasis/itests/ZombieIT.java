package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * reaper: three children exit at once with statuses 7, 8 and 9 and are left unwaited for
 * (zombies) while the parent counts through two checkpoint / SIGKILL / restart cycles. At the
 * end the parent waits for each by the pid fork() gave it and gets its status: the zombies came
 * back under their old pids, with their statuses, though no image holds them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ZombieIT extends TreeItBase {

  static final Series TICKS = new Series("tick", Pattern.compile("^tick (\\d+)$"));
  static final Pattern CHILD = Pattern.compile("^child (\\d) pid (\\d+)$");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void unwaitedChildrenAreWaitedForAfterRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("reaper", "500", "20"));
    h.waitForValues(running, TICKS, 10, Harness.DEFAULT_WAIT);
    List<String> pids = new ArrayList<>();
    for (String line : running.lines()) {
      Matcher m = CHILD.matcher(line);
      if (m.matches()) {
        pids.add(m.group(2));
      }
    }
    assertEquals(3, pids.size(), "three children\n" + running.describe());
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, TICKS, 10);
      assertEquals(1, c.checkpoint().images().size(), "one image, the parent's: " + c.checkpoint().images());
      running = c.restarted();
    }
    h.waitForOutput(running, lines -> lines.contains("done"), Duration.ofSeconds(90), "reaper to finish");
    List<String> expected = List.of("reaped " + pids.get(0) + " exit 7", "reaped " + pids.get(1) + " exit 8",
        "reaped " + pids.get(2) + " exit 9");
    assertEquals(expected, running.lines().stream().filter(l -> l.startsWith("reaped ")).toList(),
        running.describe());
    assertConsecutive(TICKS.values(running.lines()), "ticks after the second restart", running);
    assertEquals(0, exitStatus(running), running.describe());
    assertNothingLeft("reaper");
  }
}
