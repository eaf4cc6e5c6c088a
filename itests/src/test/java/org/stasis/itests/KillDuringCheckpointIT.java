package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SIGKILL in the middle of a checkpoint (TARGETS.md, reliability): the previous generation's
 * image stays the one that restarts, untouched, and no half-written file is ever taken for an
 * image. The program holds 256 MiB so that writing takes long enough to be interrupted.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KillDuringCheckpointIT extends ItBase {

  /** The program dies while its second generation is being taken. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void programKilledMidCheckpoint(RunAs who, TestInfo info) {
    FirstGeneration g = firstGeneration(who, info);

    h.command(Duration.ofSeconds(30), "-c"); // generation 2 starts; do not wait for it
    Harness.sleep(60);
    h.killProgram(g.program());
    awaitCheckpointOver();

    assertEquals(List.of(g.image()), Harness.images(h.dir()), "only the previous image may look like one");
    assertEquals(g.digest(), digest(g.image()), "the previous image changed");
    Harness.Bg restarted = h.restart(g.image());
    List<Long> resumed = h.waitForValues(restarted, Series.TICK, 12, Duration.ofSeconds(90));
    assertResumes(resumed, g.before(), g.after(), "ticks after restart from the previous generation", restarted);
    Harness.assertNoBadMarkers(restarted, restarted.lines());
    // the killed writer's partial .tmp (never taken for an image) is cleared by the restart
    awaitNoTmp();
  }

  /** The coordinator dies while a generation is being taken: the program runs on, untouched. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void coordinatorKilledMidCheckpoint(RunAs who, TestInfo info) {
    FirstGeneration g = firstGeneration(who, info);

    Set<Long> coordinators = h.listenersOn(h.port());
    assertFalse(coordinators.isEmpty(), "no coordinator listens on port " + h.port());
    h.command(Duration.ofSeconds(30), "-c");
    Harness.sleep(60);
    for (long pid : coordinators) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    // the program keeps running and leaves no half-written file behind
    long seen = Series.last(Series.TICK.values(g.launched().lines()));
    h.waitForValues(g.launched(), Series.TICK, (int) (seen + 10), Duration.ofSeconds(60));
    assertEquals(List.of(g.image()), Harness.images(h.dir()));
    awaitNoTmp();
    assertEquals(g.digest(), digest(g.image()), "the previous image changed");

    h.killProgram(g.program());
    Harness.Bg restarted = h.restart(g.image(), "--new-coordinator");
    List<Long> resumed = h.waitForValues(restarted, Series.TICK, 12, Duration.ofSeconds(90));
    assertResumes(resumed, g.before(), g.after(), "ticks after restart with a new coordinator", restarted);
  }

  /** A running program and its first, good generation: the image a restart must fall back to. */
  private record FirstGeneration(Program program, Harness.Bg launched, long before, long after, Path image,
      String digest) {}

  private FirstGeneration firstGeneration(RunAs who, TestInfo info) {
    harness(who, info);
    Program mixedmem = Program.c("mixedmem", "256");
    Harness.Bg launched = h.launch(mixedmem);
    h.waitForValues(launched, Series.TICK, 12, Duration.ofSeconds(90));
    long before = Series.last(Series.TICK.values(launched.lines()));
    h.bcheckpoint();
    long after = Series.last(Series.TICK.values(launched.lines()));
    Path image = h.image(mixedmem);
    return new FirstGeneration(mixedmem, launched, before, after, image, digest(image));
  }

  /**
   * The generation is over once the coordinator reports no checkpoint in progress, or is gone:
   * a coordinator that launch started exits with its last worker.
   */
  private void awaitCheckpointOver() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Harness.Result r = h.command(Duration.ofSeconds(15), "-s");
      if (r.exit() == 0 ? r.out().contains("CKPT_IN_PROGRESS=no") : r.all().contains("no coordinator")) {
        return;
      }
      Harness.sleep(200);
    }
    throw new AssertionError("the interrupted checkpoint never ended");
  }

  /** No half-written file stays behind (its removal may take a moment). */
  private void awaitNoTmp() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (hasTmp(h.dir())) {
      assertTrue(System.nanoTime() < deadline, "a half-written .tmp was left behind in " + h.dir());
      Harness.sleep(100);
    }
  }

  private static boolean hasTmp(Path dir) {
    try (var s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String digest(Path file) {
    try (var in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
