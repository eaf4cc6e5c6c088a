package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ptyhost: a terminal emulator in miniature. The parent holds a pseudo-terminal master; its
 * child leads a session whose controlling terminal is the other side, with echo off, and
 * answers what the parent types. Across two checkpoint / SIGKILL / restart cycles the pair is
 * made anew: every round is answered in order, nothing the parent types comes back (echo still
 * off: the terminal's settings came back), the child still has the terminal as its controlling
 * one and is its foreground process group, and the program ends normally.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PtyHostIT extends TreeItBase {

  static final Series ROUNDS = new Series("round", Pattern.compile("^round (\\d+) (.*)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aChildOnAPseudoTerminalTheProgramHoldsResumes(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("ptyhost", "400", "20"));
    h.waitForValues(running, ROUNDS, 10, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 10);
      assertEquals(2, c.checkpoint().images().size(), "the parent's and the child's image: " + c.checkpoint().images());
      running = c.restarted();
      assertAnswered(running);
    }
    h.waitForOutput(running, lines -> lines.contains("done 0"), Duration.ofSeconds(90), "ptyhost to finish");
    assertAnswered(running);
    assertConsecutive(ROUNDS.values(running.lines()), "rounds after the second restart", running);
    assertEquals(400, Series.last(ROUNDS.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), running.describe());
    assertNothingLeft("ptyhost");
  }

  /** Every round answered by the child as its controlling terminal's foreground, echo off. */
  private static void assertAnswered(Harness.Bg bg) {
    for (Matcher m : ROUNDS.matches(bg.lines())) {
      assertEquals("pong " + m.group(1) + " ctty fg noecho", m.group(2), "round " + m.group(1) + "\n" + bg.describe());
    }
  }
}
