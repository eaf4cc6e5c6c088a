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
 * shmcounter: a parent and the child it forked share anonymous MAP_SHARED memory holding a
 * counter, a process-shared pthread mutex and each process's tally. Two checkpoint / SIGKILL /
 * restart cycles (both images restarted with the restart script):
 *
 * <ul>
 *   <li>the rounds go on with nothing lost or repeated, and every line says {@code ok}
 *       (counter == parent's tally + child's tally, under the mutex);
 *   <li>the child's tally as the parent sees it keeps growing after each restart, and starts
 *       from where it was at the checkpoint: the restored memory is still one mapping shared by
 *       the two processes, not two private copies;
 *   <li>the program finishes normally ({@code done}, exit 0) and leaves no process behind.
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedMemoryIT extends TreeItBase {

  /** {@code <round> <counter> <parent tally> <child tally> ok|BROKEN}. */
  static final Series ROUNDS = new Series("round",
      Pattern.compile("^(\\d+) (\\d+) (\\d+) (\\d+) (ok|BROKEN)$"));

  /** 600 rounds of 20 ms: some 12 s of running, most of it after the second restart. */
  static final String ROUND_COUNT = "600";

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void anonymousSharedMemoryStaysSharedAcrossRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg launched = h.launch(Program.c("shmcounter", ROUND_COUNT, "20"));
    h.waitForValues(launched, ROUNDS, 20, Harness.DEFAULT_WAIT);
    assertSharedAndConsistent(launched, 0, "the launched shmcounter");

    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      Harness.Bg before = running;
      TreeCycle c = checkpointKillRestartTree(running, ROUNDS, 25);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      // The first restored line continues a round the killed run had reached: its child tally
      // cannot be below what the parent saw at the last round before the checkpoint.
      long childAtCheckpoint = childTally(before, c.checkpoint().before());
      assertSharedAndConsistent(running, childAtCheckpoint, "shmcounter after restart " + cycle);
    }

    h.waitForOutput(running, lines -> lines.contains("done"), Duration.ofSeconds(90),
        "shmcounter to finish with 'done'");
    assertConsecutive(ROUNDS.values(running.lines()), "rounds after the second restart", running);
    assertEquals(Long.parseLong(ROUND_COUNT), Series.last(ROUNDS.values(running.lines())), running.describe());
    assertSharedAndConsistent(running, 0, "shmcounter after the second restart, at its end");
    assertEquals(0, exitStatus(running), "exit status of the restarted shmcounter\n" + running.describe());
    assertNothingLeft("shmcounter");
  }

  /**
   * Every line of {@code bg} says ok and adds up; the child's tally never goes down, starts at
   * {@code childAtLeast} or above, and grows by at least 5 over the lines printed (the child
   * bumps it about every 11 ms, the parent prints every 20 ms).
   */
  private static void assertSharedAndConsistent(Harness.Bg bg, long childAtLeast, String what) {
    List<Matcher> lines = ROUNDS.matches(bg.lines());
    assertTrue(lines.size() >= 2, what + ": too few lines\n" + bg.describe());
    long prevChild = -1;
    for (Matcher m : lines) {
      long counter = Long.parseLong(m.group(2));
      long parent = Long.parseLong(m.group(3));
      long child = Long.parseLong(m.group(4));
      assertEquals("ok", m.group(5), what + ": broken invariant: " + m.group() + "\n" + bg.describe());
      assertEquals(counter, parent + child, what + ": counter is not the sum of the tallies: " + m.group()
          + "\n" + bg.describe());
      assertTrue(child >= prevChild, what + ": the child's tally went down to " + child + " from " + prevChild
          + ": " + m.group() + "\n" + bg.describe());
      prevChild = child;
    }
    long first = Long.parseLong(lines.get(0).group(4));
    long last = Long.parseLong(lines.get(lines.size() - 1).group(4));
    assertTrue(first >= childAtLeast, what + ": the child's tally starts at " + first + ", below " + childAtLeast
        + ", its value before the checkpoint\n" + bg.describe());
    assertTrue(last - first >= 5, what + ": the parent no longer sees the child's tally grow (" + first + " -> "
        + last + " over " + lines.size() + " rounds): the memory is not shared any more\n" + bg.describe());
  }

  /** The child's tally on round {@code round} of {@code bg}'s output. */
  private static long childTally(Harness.Bg bg, long round) {
    for (Matcher m : ROUNDS.matches(bg.lines())) {
      if (Long.parseLong(m.group(1)) == round) {
        return Long.parseLong(m.group(4));
      }
    }
    throw new AssertionError("no round " + round + " in\n" + bg.describe());
  }
}
