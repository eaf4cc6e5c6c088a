package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the files plugin keeps besides descriptors, across two checkpoint, SIGKILL and restart
 * cycles: record locks (a POSIX lock and a flock lock, which another process must still find
 * taken after each restart) and an inotify watch (which must keep its number and go on
 * reporting files created in its directory).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LocksAndWatchesIT extends ItBase {

  static final Series LOCKED = new Series("locked", Pattern.compile("^(\\d+) locked$"));
  static final Series CREATED = new Series("created", Pattern.compile("^(\\d+) created \\S+ wd=2$"));

  /** Asks another process whether the two locks are taken ("posix HELD flock HELD" when both are). */
  private String probeLocks(Path posix, Path flock) {
    String py = "import fcntl,sys\n"
        + "a=open(sys.argv[1],'r+'); b=open(sys.argv[2],'r+'); out=[]\n"
        + "try:\n fcntl.lockf(a, fcntl.LOCK_EX|fcntl.LOCK_NB, 10, 0); out.append('posix FREE')\n"
        + "except OSError: out.append('posix HELD')\n"
        + "try:\n fcntl.flock(b, fcntl.LOCK_EX|fcntl.LOCK_NB); out.append('flock FREE')\n"
        + "except OSError: out.append('flock HELD')\n"
        + "print(' '.join(out))\n";
    Harness.Result r = h.run(Duration.ofSeconds(30), List.of("python3", "-c", py, posix.toString(), flock.toString()));
    assertEquals(0, r.exit(), r.describe());
    return r.out().trim();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void recordLocksAreHeldAgainAfterEachRestart(RunAs who, TestInfo info) {
    harness(who, info);
    Path posix = h.dir().resolve("posix.lock");
    Path flock = h.dir().resolve("flock.lock");
    Program holder = Program.c("lockholder", posix.toString(), flock.toString());
    Harness.Bg launched = h.launch(holder);
    h.waitForValues(launched, LOCKED, 3, Harness.DEFAULT_WAIT);
    assertEquals("posix HELD flock HELD", probeLocks(posix, flock));
    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      h.bcheckpoint();
      Path image = h.image(holder);
      h.killProgram(holder);
      assertEquals("posix FREE flock FREE", probeLocks(posix, flock), "the killed process's locks are gone");
      running = h.restart(image);
      h.waitForValues(running, LOCKED, 3, Harness.DEFAULT_WAIT);
      assertEquals("posix HELD flock HELD", probeLocks(posix, flock), "cycle " + cycle + "\n" + running.describe());
    }
    h.killProgram(holder);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void anInotifyWatchReportsAgainUnderItsNumber(RunAs who, TestInfo info) {
    harness(who, info);
    Path watched = h.dir().resolve("watched");
    h.run(Duration.ofSeconds(10), List.of("mkdir", "-p", watched.toString()));
    Program prog = Program.c("inotifyprog", watched.toString());
    Harness.Bg running = h.launch(prog);
    waitFor(running, "watching wd=2");
    int made = 0;
    long reported = 0;
    for (int cycle = 0; cycle <= 2; cycle++) {
      if (cycle > 0) {
        h.bcheckpoint();
        Path image = h.image(prog);
        h.killProgram(prog);
        running = h.restart(image);
      }
      // A file made before the restarted process has its watch again is not reported: keep
      // making files until three are.
      long end = System.nanoTime() + Harness.DEFAULT_WAIT.toNanos();
      while (CREATED.values(running.lines()).size() < 3 && System.nanoTime() < end) {
        made++;
        Harness.Result touch = h.run(Duration.ofSeconds(10), List.of("touch", watched.resolve("f" + made).toString()));
        assertEquals(0, touch.exit(), touch.describe());
        Harness.sleep(150);
      }
      List<Long> seen = CREATED.values(running.lines());
      assertTrue(seen.size() >= 3, "cycle " + cycle + ": no events\n" + running.describe());
      assertEquals(reported + 1, seen.get(0), "the count goes on from the checkpoint\n" + running.describe());
      assertConsecutive(seen, "events in cycle " + cycle, running);
      reported = Series.last(seen);
    }
    h.killProgram(prog);
  }

  private static void waitFor(Harness.Bg bg, String text) {
    long end = System.nanoTime() + Harness.DEFAULT_WAIT.toNanos();
    while (System.nanoTime() < end && !bg.outText().contains(text)) {
      Harness.sleep(50);
    }
    assertTrue(bg.outText().contains(text), bg.describe());
  }
}
