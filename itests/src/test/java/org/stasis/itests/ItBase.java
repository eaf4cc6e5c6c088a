package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Common ground of the integration tests: one {@link Harness} per test, always closed (which
 * kills everything the test started), and the checkpoint / SIGKILL / restart cycle with its
 * precise continuation check.
 */
abstract class ItBase {

  /** Milliseconds the program runs on after a checkpoint before it is killed (so a restart repeats output). */
  static final long RUN_ON_AFTER_CHECKPOINT_MS = 700;

  protected Harness h;
  private volatile boolean failed;

  @RegisterExtension
  final AfterTestExecutionCallback failureWatcher =
      context -> failed = context.getExecutionException().isPresent();

  protected Harness harness(RunAs who, TestInfo info) {
    h = Harness.create(who, info);
    return h;
  }

  @AfterEach
  void closeHarness() {
    if (h != null) {
      Harness closing = h;
      h = null;
      closing.close(failed);
    }
  }

  /** What one checkpoint/kill/restart cycle saw. */
  record Cycle(Harness.Bg restarted, long before, long after, long lastBeforeKill, List<Long> resumed) {}

  /**
   * Blocking checkpoint of the running program, SIGKILL, restart from its image in a fresh
   * process, and the continuation check on {@code series}:
   *
   * <ul>
   *   <li>{@code before} = last value printed before {@code -bc} was sent, {@code after} = last
   *       value printed when {@code -bc} returned. The image holds the program's state at some
   *       moment in between, so the restarted process's first value is in
   *       {@code [before + 1, after + 1]};
   *   <li>from there on the values go up by exactly one: no gap, no repeat.
   * </ul>
   *
   * The program runs on for a moment after the checkpoint, so the restart repeats some values
   * the killed process printed; that is expected. The restarted process's output is recorded
   * separately from the original's.
   */
  Cycle checkpointKillRestart(Harness.Bg running, Program program, Series series, int valuesAfterRestart,
      Duration checkpointTimeout, Duration restartTimeout) {
    List<Long> pre = series.values(running.lines());
    assertFalse(pre.isEmpty(), "nothing printed before the checkpoint\n" + running.describe());
    long before = Series.last(pre);
    h.bcheckpoint(checkpointTimeout);
    long after = Series.last(series.values(running.lines()));
    Path image = h.image(program);
    Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
    h.killProgram(program);
    long lastBeforeKill = Series.last(series.values(running.lines()));
    Harness.assertNoBadMarkers(running, running.lines());

    Harness.Bg restarted = h.restart(image);
    List<Long> resumed = h.waitForValues(restarted, series, valuesAfterRestart, restartTimeout);
    assertResumes(resumed, before, after, series.what() + " after restart from " + image.getFileName(), restarted);
    return new Cycle(restarted, before, after, lastBeforeKill, resumed);
  }

  Cycle checkpointKillRestart(Harness.Bg running, Program program, Series series, int valuesAfterRestart) {
    return checkpointKillRestart(running, program, series, valuesAfterRestart, Duration.ofSeconds(60),
        Harness.DEFAULT_WAIT);
  }

  /** First value in {@code [before + 1, after + 1]}, then strictly consecutive. */
  static void assertResumes(List<Long> values, long before, long after, String what, Harness.Bg bg) {
    assertFalse(values.isEmpty(), what + ": no values\n" + bg.describe());
    long first = values.get(0);
    assertTrue(first >= before + 1 && first <= after + 1, what + ": first value " + first
        + " is outside [" + (before + 1) + ", " + (after + 1) + "] (last value before the checkpoint was "
        + before + ", last value when it completed was " + after + ")\n" + bg.describe());
    assertConsecutive(values, what, bg);
  }

  /** Each value is the previous one + 1. */
  static void assertConsecutive(List<Long> values, String what, Harness.Bg bg) {
    for (int i = 1; i < values.size(); i++) {
      if (values.get(i) != values.get(i - 1) + 1) {
        fail(what + ": " + values.get(i - 1) + " is followed by " + values.get(i) + " (position " + i
            + "), expected " + (values.get(i - 1) + 1) + "\n" + bg.describe());
      }
    }
  }
}
