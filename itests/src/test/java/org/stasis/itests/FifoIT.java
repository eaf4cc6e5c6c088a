package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A writer and a reader, launched separately into one computation, connected by a named pipe
 * that always has data waiting in it: after checkpoint, SIGKILL of both and restart of both
 * images (twice), the reader's numbers go on with nothing lost or repeated.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FifoIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void readerAndWriterResumeWithNothingLost(RunAs who, TestInfo info) {
    harness(who, info);
    Path fifo = h.dir().resolve("numbers.fifo");
    Program reader = Program.c("fifo", "reader", fifo.toString());
    // One coordinator for the whole test, which every launch and restart joins: two commands
    // racing to start one would make the test about that race.
    h.startDaemonCoordinator();
    Harness.Bg r = h.start("reader", List.of(Harness.bin("dmtcp_launch").toString(), "-j", "-p",
        String.valueOf(h.port()), Harness.EXAMPLES.resolve("fifo").toString(), "reader", fifo.toString()));
    Harness.Bg w = h.start("writer", List.of(Harness.bin("dmtcp_launch").toString(), "-j", "-p",
        String.valueOf(h.port()), Harness.EXAMPLES.resolve("fifo").toString(), "writer", fifo.toString()));
    h.waitForValues(r, Series.GOT, 20, Harness.DEFAULT_WAIT);

    for (int cycle = 1; cycle <= 2; cycle++) {
      long before = Series.last(Series.GOT.values(r.lines()));
      h.bcheckpoint();
      long after = Series.last(Series.GOT.values(r.lines()));
      List<Path> images = Harness.images(h.dir());
      assertEquals(2, images.size(), "one image per process: " + images);
      Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
      h.killProgram(reader); // both: the same program
      Harness.assertNoBadMarkers(r, r.lines());

      Harness.Bg r1 = h.restart(images.get(0), "-j");
      Harness.Bg r2 = h.restart(images.get(1), "-j");
      h.waitUntil(() -> !Series.GOT.values(r1.lines()).isEmpty() || !Series.GOT.values(r2.lines()).isEmpty(),
          Duration.ofSeconds(60), "the restarted reader's first number\n" + r1.describe() + r2.describe());
      r = Series.GOT.values(r1.lines()).isEmpty() ? r2 : r1;
      w = r == r1 ? r2 : r1;
      List<Long> resumed = h.waitForValues(r, Series.GOT, 20, Harness.DEFAULT_WAIT);
      assertResumes(resumed, before, after, "reader after restart " + cycle, r);
      assertFalse(w.errText().contains("restart refused"), w.describe());
    }
  }
}
