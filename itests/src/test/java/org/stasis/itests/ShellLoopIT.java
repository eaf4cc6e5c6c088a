package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * loop.sh: a bash loop that forks and execs external commands every round ({@code date | wc -c}
 * in a command substitution, {@code sh}, {@code sleep}), so a checkpoint usually catches a child
 * running. Two checkpoint / SIGKILL / restart cycles with the restart script: the round numbers
 * go on with nothing lost or repeated, the commands keep working ({@code len=11}), and {@code $$},
 * {@code $BASHPID} (getpid() asked afresh) and a new child's getppid() all stay the pid bash had
 * at launch.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShellLoopIT extends TreeItBase {

  /** {@code loop <i> len=<n> pid=<$$> bashpid=<$BASHPID> childppid=<a child's getppid()>}. */
  static final Series LOOP = new Series("loop",
      Pattern.compile("^loop (\\d+) len=(\\d+) pid=(\\d+) bashpid=(\\d+) childppid=(\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void loopOverExternalCommandsContinuesWithItsPid(RunAs who, TestInfo info) {
    harness(who, info);
    Program loop = Program.script(Path.of("/bin/bash"), "loop.sh");
    Harness.Bg launched = h.launch(loop);
    h.waitForValues(launched, LOOP, 5, Harness.DEFAULT_WAIT);
    assertConsecutive(LOOP.values(launched.lines()), "rounds of the launched loop", launched);
    String pid = LOOP.group(launched.lines(), 3).get(0);
    assertRounds(launched, pid);

    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, LOOP, 8);
      running = c.restarted();
      assertRounds(running, pid);
      assertTrue(c.checkpoint().images().stream().anyMatch(p -> p.getFileName().toString().startsWith("ckpt_bash_")),
          "no image of bash among " + c.checkpoint().images());
    }
    assertConsecutive(LOOP.values(running.lines()), "rounds after the second restart", running);
  }

  /** Every round: {@code len=11} (ten digits and a newline), and all pids the one bash had at launch. */
  private static void assertRounds(Harness.Bg bg, String pid) {
    List<Matcher> rounds = LOOP.matches(bg.lines());
    for (Matcher m : rounds) {
      assertEquals("11", m.group(2), "date +%s | wc -c gave a wrong length: " + m.group() + "\n" + bg.describe());
      assertEquals(pid, m.group(3), "$$ changed: " + m.group() + "\n" + bg.describe());
      assertEquals(pid, m.group(4), "$BASHPID (getpid()) is not the pid bash had at launch: " + m.group()
          + "\n" + bg.describe());
      assertEquals(pid, m.group(5), "a child's getppid() is not the pid bash had at launch: " + m.group()
          + "\n" + bg.describe());
    }
  }
}
