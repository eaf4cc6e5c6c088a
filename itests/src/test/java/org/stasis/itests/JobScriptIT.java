package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seeds' batch job script (examples/jobs/dmtcp_serial_job.sh), run twice as a batch system
 * would: the first run launches ./count with a checkpoint every 8 s; the whole job is killed;
 * the second run finds the image and restarts it, and the count continues.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobScriptIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void jobScriptRunTwiceContinuesTheCount(RunAs who, TestInfo info) {
    harness(who, info);
    h.copyIn(Harness.JOBS.resolve("dmtcp_serial_job.sh"), "dmtcp_serial_job.sh");
    Path countCopy = h.copyIn(Harness.EXAMPLES.resolve("count"), "count");
    Program count = Program.at(countCopy);

    Harness.Bg job1 = h.start("job1", List.of("./dmtcp_serial_job.sh"));
    List<Long> v1 = h.waitForValues(job1, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertEquals(1L, v1.get(0), "the first run must launch the program\n" + job1.describe());
    // the first interval checkpoint comes after 8 s
    h.waitForOutput(job1, lines -> !Harness.images(h.dir()).isEmpty(), Duration.ofSeconds(60),
        "the first interval checkpoint image (ckpt_*.dmtcp)");
    Harness.sleep(1000);
    assertTrue(!h.programPids(count).isEmpty(), "count is not running\n" + job1.describe());

    // the batch system ends the job: everything of it dies at once
    h.killEverything();
    long lastPrinted = Series.last(Series.COUNT.values(job1.lines()));
    assertConsecutive(Series.COUNT.values(job1.lines()), "count in the first job", job1);

    Harness.Bg job2 = h.start("job2", List.of("./dmtcp_serial_job.sh"));
    List<Long> v2 = h.waitForValues(job2, Series.COUNT, 15, Harness.DEFAULT_WAIT);
    long first = v2.get(0);
    // the newest image is at most one interval (8 s = 80 values) plus slack older than the kill
    assertTrue(first >= 2 && first >= lastPrinted - 120 && first <= lastPrinted + 1,
        "the second job resumed at " + first + "; the first job printed up to " + lastPrinted
            + "\n" + job2.describe());
    assertConsecutive(v2, "count in the second job", job2);
  }
}
