package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sysvcounter: a parent and the child it forked share a SysV shared memory segment (a counter
 * and each process's tally) guarded by a SysV semaphore. Two checkpoint / SIGKILL / restart
 * cycles (both images restarted with the restart script), in two cases:
 *
 * <ul>
 *   <li>{@code objectsStillThere}: the killed program's segment and semaphore still exist (as
 *       they do on the same machine after a SIGKILL); the restart reuses them, creating no other
 *       objects;
 *   <li>{@code objectsRemovedBeforeRestart}: the test removes them ({@code ipcrm}) after each
 *       kill, so each restart must create new ones and restore their contents.
 * </ul>
 *
 * In both: rounds go on with nothing lost or repeated, every line says {@code ok}, the child's
 * tally as the parent sees it keeps growing (one segment shared by both, one semaphore), the ids
 * the program prints are the ones it got at launch (virtualised), and at the end the program's
 * own IPC_RMID on those ids removes the objects that are really in use. The test's SysV objects
 * are found in /proc/sysvipc by their creating / last-operating pid and always removed at the end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SysvIpcIT extends TreeItBase {

  /** {@code <round> <counter> <parent tally> <child tally> ok|BROKEN shm=<id> sem=<id>}. */
  static final Series ROUNDS = new Series("round",
      Pattern.compile("^(\\d+) (\\d+) (\\d+) (\\d+) (ok|BROKEN) shm=(-?\\d+) sem=(-?\\d+)$"));

  static final String ROUND_COUNT = "600";

  /** A SysV object as /proc/sysvipc shows it ({@code pids}: creator and last user for shm, last semop pid for sem). */
  record Ipc(char kind, long id, int uid, Set<Long> pids) {
    @Override
    public String toString() {
      return (kind == 'm' ? "shm " : "sem ") + id + " uid " + uid + " pids " + pids;
    }
  }

  /** Objects that existed before the test launched anything. */
  private Set<String> baseline = Set.of();
  /** Every pid of the computation the test has seen (real pids). */
  private final Set<Long> seen = new TreeSet<>();
  /** Every object found to be the test's. */
  private final Set<String> found = new TreeSet<>();

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void objectsStillThere(RunAs who, TestInfo info) {
    run(who, info, false);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void objectsRemovedBeforeRestart(RunAs who, TestInfo info) {
    run(who, info, true);
  }

  private void run(RunAs who, TestInfo info, boolean removeBeforeRestart) {
    harness(who, info);
    baseline = allObjects().stream().map(SysvIpcIT::key).collect(Collectors.toSet());
    Harness.Bg launched = h.launch(Program.c("sysvcounter", ROUND_COUNT, "20"));
    h.waitForValues(launched, ROUNDS, 20, Harness.DEFAULT_WAIT);
    String ids = idsOf(launched);
    assertSharedAndConsistent(launched, 0, "the launched sysvcounter");
    List<Ipc> objects = ours("after launch", launched);

    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      Harness.Bg before = running;
      List<Ipc> inUse = objects;
      TreeCycle c = cycle(running, killed -> {
        seen.addAll(killed);
        if (removeBeforeRestart) {
          remove(inUse);
        }
      });
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
      assertEquals(ids, idsOf(running), "the SysV ids the program sees after restart " + cycle + "\n"
          + running.describe());
      assertSharedAndConsistent(running, childTally(before, c.checkpoint().before()),
          "sysvcounter after restart " + cycle);
      objects = ours("after restart " + cycle, running);
      if (removeBeforeRestart) {
        for (Ipc o : objects) {
          assertTrue(inUse.stream().noneMatch(old -> old.kind() == o.kind() && old.id() == o.id()),
              "restart " + cycle + " uses " + o + ", which the test removed before the restart");
        }
      } else {
        assertEquals(inUse.stream().map(SysvIpcIT::key).toList(), objects.stream().map(SysvIpcIT::key).toList(),
            "restart " + cycle + " should reuse the segment and semaphore that still exist, creating no others");
      }
    }

    h.waitForOutput(running, lines -> lines.contains("done"), Duration.ofSeconds(90),
        "sysvcounter to finish with 'done'");
    assertConsecutive(ROUNDS.values(running.lines()), "rounds after the second restart", running);
    assertEquals(Long.parseLong(ROUND_COUNT), Series.last(ROUNDS.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), "exit status of the restarted sysvcounter\n" + running.describe());
    assertNothingLeft("sysvcounter");
    Set<String> current = allObjects().stream().map(SysvIpcIT::key).collect(Collectors.toSet());
    List<Ipc> left = objects.stream().filter(o -> current.contains(key(o))).toList();
    assertTrue(left.isEmpty(), "the program's IPC_RMID of shm=/sem= " + ids + " did not remove the objects "
        + "it really used: " + left);
  }

  /** The same cycle as {@link #checkpointKillRestartTree}, with a hook between the kill and the restart. */
  private TreeCycle cycle(Harness.Bg running, java.util.function.Consumer<Set<Long>> afterKill) {
    Series series = ROUNDS;
    int values = 25;
    TreeCheckpoint c = checkpointTree(running, series);
    Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
    Set<Long> killed = killComputation();
    Harness.assertNoBadMarkers(running, running.lines());
    afterKill.accept(killed);
    Harness.Bg restarted = restartWithScript();
    System.out.println("[" + getClass().getSimpleName() + " " + h.who() + "] checkpoint: " + c.images().size()
        + " images; " + killed.size() + " processes killed; restarting with dmtcp_restart_script.sh");
    List<Long> resumed = h.waitForValues(restarted, series, values, Harness.DEFAULT_WAIT);
    assertResumes(resumed, c.before(), c.after(), series.what() + " after a restart of " + c.images().size()
        + " images", restarted);
    return new TreeCycle(c, killed, restarted);
  }

  /** The one {@code shm=<id> sem=<id>} of all of {@code bg}'s lines. */
  private static String idsOf(Harness.Bg bg) {
    Set<String> ids = ROUNDS.matches(bg.lines()).stream().map(m -> "shm=" + m.group(6) + " sem=" + m.group(7))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(1, ids.size(), "the program's SysV ids changed within one run: " + ids + "\n" + bg.describe());
    return ids.iterator().next();
  }

  /** The test's segment and semaphore, now: exactly one of each. */
  private List<Ipc> ours(String when, Harness.Bg bg) {
    computation().forEach(p -> seen.add(p.pid()));
    List<Ipc> all = allObjects();
    List<Ipc> mine = all.stream().filter(this::isOurs).toList();
    mine.forEach(o -> found.add(key(o)));
    assertEquals(1, mine.stream().filter(o -> o.kind() == 'm').count(), when + ": expected one shm segment of the "
        + "computation (pids " + seen + "), found " + mine + "; all new objects: "
        + all.stream().filter(o -> !baseline.contains(key(o))).toList() + "\n" + bg.describe());
    assertEquals(1, mine.stream().filter(o -> o.kind() == 's').count(), when + ": expected one semaphore set of "
        + "the computation (pids " + seen + "), found " + mine + "; all new objects: "
        + all.stream().filter(o -> !baseline.contains(key(o))).toList() + "\n" + bg.describe());
    System.out.println("[" + getClass().getSimpleName() + " " + h.who() + "] " + when + ": " + mine);
    return mine;
  }

  private boolean isOurs(Ipc o) {
    return !baseline.contains(key(o)) && o.uid() == h.account().uid()
        && o.pids().stream().anyMatch(seen::contains);
  }

  private void remove(List<Ipc> objects) {
    List<String> cmd = new ArrayList<>(List.of("ipcrm"));
    for (Ipc o : objects) {
      cmd.addAll(List.of("-" + o.kind(), String.valueOf(o.id())));
    }
    Harness.Result r = Harness.runRaw(Duration.ofSeconds(20), cmd);
    assertEquals(0, r.exit(), "removing " + objects + ":\n" + r.describe());
    System.out.println("[" + getClass().getSimpleName() + " " + h.who() + "] removed " + objects);
  }

  /** Removes every object of the test that is still there, also after a failure. */
  @AfterEach
  void removeOurObjects() {
    if (h == null) {
      return;
    }
    h.killEverything();
    List<Ipc> left = allObjects().stream().filter(o -> found.contains(key(o)) || isOurs(o)).toList();
    if (!left.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of("ipcrm"));
      left.forEach(o -> cmd.addAll(List.of("-" + o.kind(), String.valueOf(o.id()))));
      Harness.Result r = Harness.runRaw(Duration.ofSeconds(20), cmd);
      System.out.println("[" + getClass().getSimpleName() + "] cleanup: removed " + left + " (exit " + r.exit() + ")");
    }
  }

  private static String key(Ipc o) {
    return o.kind() + ":" + o.id();
  }

  /** Every SysV shm segment and semaphore set on the machine. */
  private static List<Ipc> allObjects() {
    List<Ipc> all = new ArrayList<>();
    for (String line : Harness.readQuietly(Path.of("/proc/sysvipc/shm")).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 7 && f[1].matches("\\d+")) {
        all.add(new Ipc('m', Long.parseLong(f[1]), Integer.parseInt(f[7]),
            new TreeSet<>(List.of(Long.parseLong(f[4]), Long.parseLong(f[5])))));
      }
    }
    for (String line : Harness.readQuietly(Path.of("/proc/sysvipc/sem")).split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 4 && f[1].matches("\\d+")) {
        long id = Long.parseLong(f[1]);
        all.add(new Ipc('s', id, Integer.parseInt(f[4]), lastSemopPids(id)));
      }
    }
    return all;
  }

  /** The pids of the last semop on each semaphore of the set ({@code ipcs -s -i}). */
  private static Set<Long> lastSemopPids(long id) {
    Harness.Result r = Harness.runRaw(Duration.ofSeconds(10), List.of("ipcs", "-s", "-i", String.valueOf(id)));
    Set<Long> pids = new TreeSet<>();
    boolean table = false;
    for (String line : r.out().split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 5 && f[0].equals("semnum")) {
        table = true;
      } else if (table && f.length >= 5 && f[4].matches("\\d+")) {
        pids.add(Long.parseLong(f[4]));
      }
    }
    return pids;
  }

  /**
   * Every line of {@code bg} says ok and adds up; the child's tally never goes down, starts at
   * {@code childAtLeast} or above, and grows by at least 5 over the lines printed.
   */
  private static void assertSharedAndConsistent(Harness.Bg bg, long childAtLeast, String what) {
    List<Matcher> lines = ROUNDS.matches(bg.lines());
    assertTrue(lines.size() >= 2, what + ": too few lines\n" + bg.describe());
    long prevChild = -1;
    for (Matcher m : lines) {
      long child = Long.parseLong(m.group(4));
      assertEquals("ok", m.group(5), what + ": broken invariant: " + m.group() + "\n" + bg.describe());
      assertEquals(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)) + child, what
          + ": counter is not the sum of the tallies: " + m.group() + "\n" + bg.describe());
      assertTrue(child >= prevChild, what + ": the child's tally went down: " + m.group() + "\n" + bg.describe());
      prevChild = child;
    }
    long first = Long.parseLong(lines.get(0).group(4));
    long last = Long.parseLong(lines.get(lines.size() - 1).group(4));
    assertTrue(first >= childAtLeast, what + ": the child's tally starts at " + first + ", below " + childAtLeast
        + ", its value before the checkpoint\n" + bg.describe());
    assertNotEquals(first, last, what + ": the parent no longer sees the child's tally grow");
    assertTrue(last - first >= 5, what + ": the parent no longer sees the child's tally grow (" + first + " -> "
        + last + " over " + lines.size() + " rounds): the segment is not shared any more\n" + bg.describe());
  }

  private static long childTally(Harness.Bg bg, long round) {
    for (Matcher m : ROUNDS.matches(bg.lines())) {
      if (Long.parseLong(m.group(1)) == round) {
        return Long.parseLong(m.group(4));
      }
    }
    throw new AssertionError("no round " + round + " in\n" + bg.describe());
  }
}
