package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code dmtcp_launch -i 2}: a new image generation about every 2 s (each atomically replaces
 * the previous file, so it gets a new inode), and {@code ./dmtcp_restart_script.sh} restarts the
 * newest one. And after {@code dmtcp_launch -i 4}, a SIGKILL and the generated restart script,
 * the restarted computation goes on being checkpointed every 4 s without any command (the
 * script passes the interval the computation had on to the restart's coordinator).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IntervalIT extends ItBase {

  /** One observed image generation: its file identity, when we saw it, the last value printed then. */
  record Generation(String key, long seenNanos, long lastValue) {}

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void intervalCheckpointsAndRestartScript(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count, "-i", "2");
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);

    List<Generation> gens = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (gens.size() < 5 && System.nanoTime() < deadline) {
      observe(launched, gens);
      Harness.sleep(100);
    }
    assertTrue(gens.size() >= 5, "expected 5 image generations within 30 s at -i 2, saw " + gens.size()
        + "\n" + Harness.listing(h.dir()) + launched.describe());
    double spacing = (gens.get(gens.size() - 1).seenNanos() - gens.get(0).seenNanos()) / 1e9 / (gens.size() - 1);
    assertTrue(spacing >= 1.0 && spacing <= 4.0, "generations every " + spacing + " s on average, expected about 2 s");

    h.killProgram(count);
    observe(launched, gens); // a generation may have completed just before the kill
    long lastPrinted = Series.last(Series.COUNT.values(launched.lines()));
    // The newest image's snapshot was taken after the generation before it completed, which was
    // after we saw the one before that.
    long lowest = gens.size() >= 3 ? gens.get(gens.size() - 3).lastValue() + 1 : 2;

    Path script = h.dir().resolve("dmtcp_restart_script.sh");
    assertTrue(Files.exists(script), "no dmtcp_restart_script.sh in the work directory\n" + Harness.listing(h.dir()));
    Harness.Bg restarted = h.start("restart-script", List.of("./dmtcp_restart_script.sh"));
    List<Long> values = h.waitForValues(restarted, Series.COUNT, 15, Harness.DEFAULT_WAIT);
    long first = values.get(0);
    assertTrue(first >= lowest && first <= lastPrinted + 1, "the restart script resumed at " + first
        + ", expected the newest generation: a value in [" + lowest + ", " + (lastPrinted + 1) + "]\n"
        + restarted.describe());
    assertConsecutive(values, "count after ./dmtcp_restart_script.sh", restarted);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void periodicCheckpointsGoOnAfterTheRestartScript(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count, "-i", "4");
    List<Generation> gens = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (gens.isEmpty() && System.nanoTime() < deadline) {
      observe(launched, gens);
      Harness.sleep(100);
    }
    assertTrue(!gens.isEmpty(), "no image within 30 s at -i 4\n" + Harness.listing(h.dir()) + launched.describe());
    h.killProgram(count);
    Harness.sleep(300);
    List<Generation> before = new ArrayList<>();
    observe(launched, before); // the newest image at the kill: what the script restarts

    Harness.Bg restarted = h.start("restart-script", List.of("./dmtcp_restart_script.sh"));
    h.waitForValues(restarted, Series.COUNT, 3, Harness.DEFAULT_WAIT);
    // Nothing but the interval may checkpoint it now: two new generations within 30 s.
    List<Generation> after = new ArrayList<>(before);
    deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (after.size() < before.size() + 2 && System.nanoTime() < deadline) {
      observe(restarted, after);
      Harness.sleep(100);
    }
    assertTrue(after.size() >= before.size() + 2, "after the restart script, " + (after.size() - before.size())
        + " new image generation(s) within 30 s at -i 4, expected at least 2\n" + Harness.listing(h.dir())
        + restarted.describe() + h.coordinatorLogTail());
    assertConsecutive(Series.COUNT.values(restarted.lines()), "count after ./dmtcp_restart_script.sh", restarted);

    // The new images are the restarted computation's: restarting the newest resumes past the first restart's start.
    long firstAfterRestart = Series.COUNT.values(restarted.lines()).get(0);
    long seenAtNewest = after.get(after.size() - 1).lastValue();
    h.killProgram(count);
    Harness.Bg again = h.start("restart-script-2", List.of("./dmtcp_restart_script.sh"));
    List<Long> values = h.waitForValues(again, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertTrue(values.get(0) > firstAfterRestart && values.get(0) >= Math.min(seenAtNewest, firstAfterRestart + 1),
        "the second restart resumed at " + values.get(0) + ", not from an image written after the first restart"
        + " (which began at " + firstAfterRestart + ")\n" + again.describe());
    assertConsecutive(values, "count after the second ./dmtcp_restart_script.sh", again);
    h.killProgram(count);
  }

  private void observe(Harness.Bg launched, List<Generation> gens) {
    List<Path> images = Harness.images(h.dir());
    if (images.size() != 1) {
      return;
    }
    String key;
    try {
      key = Files.getAttribute(images.get(0), "unix:ino") + "/"
          + Files.getLastModifiedTime(images.get(0)).toMillis() + "/" + Files.size(images.get(0));
    } catch (IOException e) {
      return; // replaced while we looked
    }
    if (gens.isEmpty() || !Objects.equals(gens.get(gens.size() - 1).key(), key)) {
      List<Long> v = Series.COUNT.values(launched.lines());
      gens.add(new Generation(key, System.nanoTime(), v.isEmpty() ? 0 : Series.last(v)));
    }
  }
}
