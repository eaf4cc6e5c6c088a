package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Restarting only some images of a computation, as DMTCP's users do with
 * {@code dmtcp_restart $(ls -t ckpt_*.dmtcp | head -n 1)} for a program that forks: pingpong (a
 * parent and its forked child) is checkpointed and SIGKILLed, then only the newest image is
 * restarted. That restart must be refused soon (non-zero exit within 8 s on a loaded machine;
 * about 0.3 s in fact: no coordinator runs, so the front end refuses it before starting one or
 * the restorer), with a message naming the missing process's image and saying to restart
 * all images, and leave no process behind. A restart that waits (its peer's image moved away,
 * so the coordinator waits its long default) must die on SIGTERM. Then the restart script
 * brings back both and the rounds go on with nothing lost or repeated. With a coordinator
 * already running the newest image alone is refused too (about 0.7 s: the coordinator holds
 * the question for another restart command started together), and the coordinator keeps no
 * word of it: the restart script then brings back both on it. Restarting the images
 * through two separate {@code dmtcp_restart} commands, one per image, started together against
 * one coordinator (as DMTCP allows, one per host) still works.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PartialRestartIT extends TreeItBase {

  static final Series ROUNDS = PipeTreeIT.ROUNDS;

  /** pingpong (a parent and its child) launched, checkpointed into two images, and killed. */
  private TreeCheckpoint checkpointedAndKilled() {
    Harness.Bg launched = h.launch(Program.c("pingpong", "100000", "20"));
    h.waitForValues(launched, ROUNDS, 20, Harness.DEFAULT_WAIT);
    TreeCheckpoint c = checkpointTree(launched, ROUNDS);
    assertEquals(2, c.images().size(), "one image per process: " + c.images());
    killComputation();
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void restartingOnlyTheNewestImageIsRefusedThenAllImagesContinue(RunAs who, TestInfo info) {
    harness(who, info);
    TreeCheckpoint c = checkpointedAndKilled();

    // ls -t ckpt_*.dmtcp | head -n 1
    List<Path> byAge = c.images().stream()
        .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed()).toList();
    Path newest = byAge.get(0);
    Path other = byAge.get(1);
    long start = System.nanoTime();
    Harness.Result r = h.run(Duration.ofSeconds(60), List.of(Harness.bin("dmtcp_restart").toString(), "-p",
        String.valueOf(h.port()), newest.getFileName().toString()));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("[PartialRestartIT " + who + "] partial restart ended with " + r.exit() + " after "
        + millis + " ms");
    assertTrue(!r.timedOut(), "the partial restart hangs\n" + r.describe() + h.coordinatorLogTail());
    assertNotEquals(0, r.exit(), "the partial restart must fail\n" + r.describe());
    assertTrue(millis < 8000, "refused only after " + millis + " ms\n" + r.describe());
    String err = r.err();
    assertTrue(err.contains("restart refused") && err.contains("had 2 processes"), r.describe());
    assertTrue(err.contains(other.getFileName().toString()), "the missing image is not named\n" + r.describe());
    assertTrue(err.contains("./dmtcp_restart_script.sh"), "no advice\n" + r.describe());
    assertNothingLeft("the partial restart");

    // A restart waiting for a peer whose image is elsewhere dies on SIGTERM.
    Path away = h.dir().resolve("away");
    Harness.Result mv = h.run(Duration.ofSeconds(10), List.of("sh", "-c", "mkdir away && mv '" + other + "' away/"));
    assertEquals(0, mv.exit(), mv.describe());
    Harness.Bg waiting = h.restart(newest);
    h.waitUntil(() -> {
      List<Proc> now = computation();
      return now.size() == 1 && now.get(0).comm().equals("pingpong");
    }, Duration.ofSeconds(60), "the restarted process");
    Harness.sleep(1500); // well after it joined the coordinator and waits at the restart barrier
    assertTrue(waiting.alive(), "the restart ended early:\n" + waiting.describe() + h.coordinatorLogTail());
    long pid = computation().get(0).pid();
    h.run(Duration.ofSeconds(10), List.of("kill", "-TERM", String.valueOf(pid)));
    int status = exitStatus(waiting);
    assertEquals(143, status, "SIGTERM did not end the waiting restart\n" + waiting.describe());
    assertTrue(waiting.errText().contains("SIGTERM received while waiting"), waiting.describe());
    assertNothingLeft("the terminated restart");
    Harness.Result back = h.run(Duration.ofSeconds(10), List.of("sh", "-c", "mv away/* . && rmdir away"));
    assertEquals(0, back.exit(), back.describe());
    assertTrue(java.nio.file.Files.isRegularFile(other), "image not back: " + other);
    assertTrue(!java.nio.file.Files.exists(away));

    // Every image: the computation goes on.
    Harness.Bg restarted = restartWithScript();
    List<Long> resumed = h.waitForValues(restarted, ROUNDS, 20, Harness.DEFAULT_WAIT);
    assertResumes(resumed, c.before(), c.after(), "rounds after restarting both images", restarted);
    killComputation();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void withACoordinatorRunningTheNewestImageAloneIsStillRefused(RunAs who, TestInfo info) {
    harness(who, info);
    TreeCheckpoint c = checkpointedAndKilled();
    Harness.Result coordinator = h.run(Duration.ofSeconds(60), List.of(Harness.bin("dmtcp_coordinator").toString(),
        "--daemon", "--exit-on-last", "-p", String.valueOf(h.port())));
    assertEquals(0, coordinator.exit(), coordinator.describe());
    Path newest = c.images().stream().max(Comparator.comparing((Path p) -> p.toFile().lastModified())).get();

    long start = System.nanoTime();
    Harness.Result r = h.run(Duration.ofSeconds(60), List.of(Harness.bin("dmtcp_restart").toString(), "-p",
        String.valueOf(h.port()), newest.getFileName().toString()));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("[PartialRestartIT " + who + "] with a coordinator running, refused with " + r.exit()
        + " after " + millis + " ms");
    assertTrue(!r.timedOut(), "the partial restart hangs\n" + r.describe() + h.coordinatorLogTail());
    assertEquals(3, r.exit(), "the partial restart must be refused\n" + r.describe());
    assertTrue(millis < 8000, "refused only after " + millis + " ms\n" + r.describe());
    assertTrue(r.err().contains("no other restart of it is under way"), r.describe());
    assertTrue(r.err().contains("had 2 processes"), r.describe());
    assertNothingLeft("the partial restart");

    // The coordinator took no word for the refused restart: all images restart on it at once.
    Harness.Bg restarted = restartWithScript();
    List<Long> resumed = h.waitForValues(restarted, ROUNDS, 20, Harness.DEFAULT_WAIT);
    assertResumes(resumed, c.before(), c.after(), "rounds after restarting both images", restarted);
    killComputation();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void oneRestartCommandPerImageStillMeets(RunAs who, TestInfo info) {
    harness(who, info);
    TreeCheckpoint c = checkpointedAndKilled();
    Harness.Result coordinator = h.run(Duration.ofSeconds(60), List.of(Harness.bin("dmtcp_coordinator").toString(),
        "--daemon", "--exit-on-last", "-p", String.valueOf(h.port())));
    assertEquals(0, coordinator.exit(), coordinator.describe());

    List<Harness.Bg> restarts = c.images().stream().map(image -> h.restart(image)).toList();
    // The parent prints the rounds: they go on from the checkpoint, whichever command restarted it.
    Harness.Bg parent = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (parent == null && System.nanoTime() < deadline) {
      for (Harness.Bg r : restarts) {
        assertTrue(r.alive() || !ROUNDS.values(r.lines()).isEmpty(), "a restart command ended\n" + r.describe()
            + h.coordinatorLogTail());
        if (!ROUNDS.values(r.lines()).isEmpty()) {
          parent = r;
        }
      }
      Harness.sleep(100);
    }
    assertTrue(parent != null, "no rounds after restarting the images separately\n"
        + restarts.get(0).describe() + restarts.get(1).describe() + h.coordinatorLogTail());
    List<Long> resumed = h.waitForValues(parent, ROUNDS, 20, Harness.DEFAULT_WAIT);
    assertResumes(resumed, c.before(), c.after(), "rounds after one restart command per image", parent);
    for (Harness.Bg r : restarts) {
      assertTrue(r.alive(), "a restart command ended\n" + r.describe());
      assertTrue(!r.errText().contains("restart refused"), r.describe());
    }
    killComputation();
  }
}
