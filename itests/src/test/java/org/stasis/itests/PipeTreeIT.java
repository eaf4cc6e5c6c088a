package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * pingpong: a parent and the child it forked (or made with clone()), talking over two pipes (the parent sends 2n, the
 * child answers 2n + 1). Two checkpoint / SIGKILL / restart cycles, each restarting both images
 * with the restart script (one dmtcp_restart):
 *
 * <ul>
 *   <li>the round numbers go on with nothing lost or repeated, and every answer is right (the
 *       pipes and the data in them came back);
 *   <li>the parent's pid, the child's pid as the parent knows it, and the child's own getpid()
 *       and getppid() are the numbers they were before the checkpoint (virtual pids), and the
 *       parent can signal the child ({@code kill(child, 0)}: {@code alive});
 *   <li>the real processes form the same tree: the restarted parent is the kernel's parent of
 *       the restarted child, both in one process group and session, both under the one
 *       dmtcp_restart;
 *   <li>at the end the parent reaps the child by its old pid ({@code done child-ok}) and the
 *       restart command exits 0.
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipeTreeIT extends TreeItBase {

  /** {@code <n> <parent pid> <child pid> <child's getpid> <child's getppid> alive|GONE}. */
  static final Series ROUNDS = new Series("round",
      Pattern.compile("^(\\d+) (\\d+) (\\d+) (-?\\d+) (\\d+) (alive|GONE)$"));

  /** 600 rounds of 20 ms: some 12 s of running, most of it after the second restart. */
  static final String ROUND_COUNT = "600";

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void parentAndChildResumeWithTheirPidsAndPipes(RunAs who, TestInfo info) {
    parentAndChildResume(who, info, "fork");
  }

  /** The same with a child made by {@code clone()} on a stack of its own, without fork(). */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aChildMadeByCloneResumesLikeAForkedOne(RunAs who, TestInfo info) {
    parentAndChildResume(who, info, "clone");
  }

  private void parentAndChildResume(RunAs who, TestInfo info, String how) {
    harness(who, info);
    Program pingpong = Program.c("pingpong", ROUND_COUNT, "20", how);
    Harness.Bg launched = h.launch(pingpong);
    h.waitForValues(launched, ROUNDS, 20, Harness.DEFAULT_WAIT);
    assertConsecutive(ROUNDS.values(launched.lines()), "rounds of the launched pingpong", launched);
    String pids = pidsOf(launched);
    Tree tree = tree(launched);

    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 20);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertEquals(pids, pidsOf(running), "pids after restart " + cycle + " (parent, child, child's getpid, "
          + "child's getppid)\n" + running.describe());
      Tree restored = tree(running);
      assertEquals(tree.sameGroupAndSession(), restored.sameGroupAndSession(),
          "process group and session of parent and child after restart " + cycle + ": " + restored);
      assertTrue(underRestart(running, restored.parent().pid()), "the restarted parent " + restored.parent()
          + " is not the restart command " + running.process.pid() + " or one of its descendants");
    }

    h.waitForOutput(running, lines -> lines.contains("done child-ok"), Duration.ofSeconds(90),
        "pingpong to finish with 'done child-ok'");
    assertConsecutive(ROUNDS.values(running.lines()), "rounds after the second restart", running);
    assertEquals(Long.parseLong(ROUND_COUNT), Series.last(ROUNDS.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), "exit status of the restarted pingpong\n" + running.describe());
    assertNothingLeft("pingpong");
  }

  /** The one (parent, child, child's getpid, child's getppid) of all lines, each line 'alive'. */
  private static String pidsOf(Harness.Bg bg) {
    List<Matcher> lines = ROUNDS.matches(bg.lines());
    for (Matcher m : lines) {
      assertEquals("alive", m.group(6), "the parent cannot signal the child: " + m.group() + "\n" + bg.describe());
      assertEquals(m.group(3), m.group(4), "the child's getpid() differs from the pid fork() gave the parent: "
          + m.group() + "\n" + bg.describe());
      assertEquals(m.group(2), m.group(5), "the child's getppid() differs from the parent's getpid(): "
          + m.group() + "\n" + bg.describe());
    }
    Set<String> distinct = lines.stream().map(m -> m.group(2) + " " + m.group(3) + " " + m.group(4) + " "
        + m.group(5)).collect(Collectors.toCollection(java.util.TreeSet::new));
    assertEquals(1, distinct.size(), "the pids changed within one run: " + distinct + "\n" + bg.describe());
    return distinct.iterator().next();
  }

  /** The two real pingpong processes: one parent of the other. */
  record Tree(Proc parent, Proc child) {
    boolean sameGroupAndSession() {
      return parent.pgid() == child.pgid() && parent.sid() == child.sid();
    }
  }

  private Tree tree(Harness.Bg bg) {
    List<Proc> procs = computation();
    String all = describe(procs) + bg.describe();
    assertEquals(2, procs.size(), "expected exactly the parent and the child:\n" + all);
    procs.forEach(p -> assertEquals("pingpong", p.comm(), all));
    Proc a = procs.get(0);
    Proc b = procs.get(1);
    if (a.ppid() == b.pid()) {
      return new Tree(b, a);
    }
    assertEquals(a.pid(), b.ppid(), "neither process is the other's parent:\n" + all);
    return new Tree(a, b);
  }

  private static boolean underRestart(Harness.Bg restart, long pid) {
    return restart.process.pid() == pid || restart.process.descendants().anyMatch(d -> d.pid() == pid);
  }
}
