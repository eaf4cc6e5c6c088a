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
 * newest one.
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
