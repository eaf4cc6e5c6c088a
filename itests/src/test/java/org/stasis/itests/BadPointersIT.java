package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * badptrs: every function the agent and the files plugin wrap, called with bad pointers
 * ((void *)1, a PROT_NONE page, NULL). Run first without the agent to learn what libc and the
 * kernel answer; then under dmtcp_launch, checkpointed (between two rounds), SIGKILLed and
 * restarted with the restart script: each round before the checkpoint and after the restart
 * must answer every call as the plain run did. Where libc itself crashes (and the program
 * catches the SIGSEGV) the agent may answer -1 EFAULT instead; never the other way round.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadPointersIT extends TreeItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void badPointersGetTheKernelsAnswerBeforeAndAfterARestart(RunAs who, TestInfo info) {
    harness(who, info);
    Program once = Program.c("badptrs", "1", "0");
    Harness.Result plain = h.run(Duration.ofSeconds(60), once.argv());
    assertEquals(0, plain.exit(), "plain run\n" + plain.describe());
    List<String> expected = round(List.of(plain.out().split("\n")), 1, plain.describe());
    assertTrue(expected.size() > 150, "the plain run reports its calls\n" + plain.describe());

    // a round takes about a second; the checkpoint falls in the pause after round 1
    Harness.Bg running = h.launch(Program.c("badptrs", "3", "5000"));
    h.waitForOutput(running, lines -> lines.contains("round 1 end"), Harness.DEFAULT_WAIT, "round 1");
    compare(expected, round(running.lines(), 1, running.describe()), "before the checkpoint", running);
    TreeCheckpoint c = checkpointTree(running, null);
    assertFalse(c.images().isEmpty());
    killComputation();
    Harness.Bg restarted = restartWithScript();
    h.waitForOutput(restarted, lines -> lines.contains("done"), Duration.ofSeconds(90), "badptrs to finish");
    assertFalse(restarted.lines().contains("round 1 begin"), "round 1 again after the restart\n" + restarted.describe());
    for (int r = 2; r <= 3; r++) {
      compare(expected, round(restarted.lines(), r, restarted.describe()), "round " + r + " after the restart",
          restarted);
    }
    assertEquals(0, exitStatus(restarted), restarted.describe());
    assertNothingLeft("badptrs");
  }

  /** The "case" lines of round n. */
  private static List<String> round(List<String> lines, int n, String context) {
    int begin = lines.indexOf("round " + n + " begin");
    int end = lines.indexOf("round " + n + " end");
    assertTrue(begin >= 0 && end > begin, "round " + n + " is not complete\n" + context);
    List<String> cases = new ArrayList<>();
    for (String l : lines.subList(begin + 1, end)) {
      if (l.startsWith("case ")) {
        cases.add(l);
      }
    }
    return cases;
  }

  private static void compare(List<String> expected, List<String> got, String when, Harness.Bg bg) {
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < Math.max(expected.size(), got.size()); i++) {
      String e = i < expected.size() ? expected.get(i) : "(none)";
      String g = i < got.size() ? got.get(i) : "(none)";
      boolean libcCrashes = e.endsWith(": SIGSEGV") && g.equals(e.replace(": SIGSEGV", ": -1 EFAULT"));
      if (!e.equals(g) && !libcCrashes) {
        wrong.add("  expected '" + e + "', got '" + g + "'");
      }
    }
    assertTrue(wrong.isEmpty(), when + ": calls answered unlike the plain run:\n" + String.join("\n", wrong)
        + "\n" + bg.describe());
  }
}
