package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code dmtcp_command --checkpoint} then at once {@code dmtcp_command --quit} (the pattern of
 * job scripts that checkpoint on a signal and quit: {@code --checkpoint; sleep 2; --quit}) while
 * the checkpoint of a big process is still being written. randmem holds 2 GiB of pseudo-random
 * bytes that do not compress, so writing its image takes seconds. The quit must wait for the
 * checkpoint and say so ("checkpoint generation N was in progress: it completed before the
 * quit"); the image must be complete (every section's checksum verified, no {@code .tmp} left);
 * and a restart from it must go on counting where the checkpoint left it, with the heap's
 * checksum unchanged.
 *
 * <p>The size is 2 GiB when the machine has the memory for it: the program, the restarted
 * program and the image in the page cache need about three times that available; otherwise the
 * largest size that fits (at least 256 MiB), printed by the test.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QuitDuringCheckpointIT extends ItBase {

  private static final Pattern HEADER = Pattern.compile("^randmem (\\d+) MiB sum=([0-9a-f]+)$");
  private static final Pattern WAITED =
      Pattern.compile("checkpoint generation (\\d+) was in progress: it completed before the quit");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void quitRightAfterACheckpointRequestWaitsForTheImage(RunAs who, TestInfo info) {
    harness(who, info);
    long mib = sizeMib();
    System.out.println("[QuitDuringCheckpointIT " + who + "] randmem of " + mib + " MiB");
    Program randmem = Program.c("randmem", String.valueOf(mib));
    Harness.Bg running = h.launch(randmem);
    // one full verification (tick 20) before the checkpoint
    h.waitForValues(running, Series.TICK, 22, Duration.ofSeconds(180));
    String sum0 = initialSum(running, mib);

    long before = Series.last(Series.TICK.values(running.lines()));
    Harness.Result ckpt = h.command(Duration.ofSeconds(60), "--checkpoint");
    assertEquals(0, ckpt.exit(), ckpt.describe());
    Harness.Result quit = h.command(Duration.ofSeconds(300), "--quit");
    long after = Series.last(Series.TICK.values(running.lines()));
    assertFalse(quit.timedOut(), quit.describe() + h.coordinatorLogTail());
    assertEquals(0, quit.exit(), quit.describe() + h.coordinatorLogTail());
    Matcher m = WAITED.matcher(quit.all());
    assertTrue(m.find(), "quit did not say it waited for the checkpoint\n" + quit.describe() + h.coordinatorLogTail());
    assertEquals("1", m.group(1), quit.describe());

    // quit killed the program once the checkpoint was done
    try {
      assertTrue(running.process.waitFor(60, TimeUnit.SECONDS), "still running after quit\n" + running.describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    Harness.assertNoBadMarkers(running, running.lines());
    Path image = h.image(randmem);
    assertTrue(leftovers().isEmpty(), "partial images left: " + leftovers());
    Harness.Result inspect = h.run(Duration.ofSeconds(300),
        List.of(Harness.bin("stasis").toString(), "inspect", "--verify", image.toString()));
    assertEquals(0, inspect.exit(), inspect.describe());
    assertTrue(inspect.out().contains("complete; header, section and data checksums OK"), inspect.describe());

    Harness.Bg restarted = h.restart(image);
    List<Long> resumed = h.waitForValues(restarted, Series.TICK, 45, Duration.ofSeconds(180));
    assertResumes(resumed, before, after, "ticks after the restart", restarted);
    for (String sum : Series.TICK.group(restarted.lines(), 2)) {
      assertEquals(sum0, sum, "the heap changed\n" + restarted.describe());
    }
    h.killProgram(randmem);
  }

  /** 2 GiB, or what a third of the available memory allows (at least 256 MiB). */
  private static long sizeMib() {
    long availableKib = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) {
          availableKib = Long.parseLong(line.replaceAll("\\D", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Math.max(256, Math.min(2048, availableKib / 1024 / 3));
  }

  private List<Path> leftovers() {
    try (Stream<Path> s = Files.list(h.dir())) {
      return s.filter(p -> p.getFileName().toString().endsWith(".dmtcp.tmp")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String initialSum(Harness.Bg bg, long mib) {
    for (String line : bg.lines()) {
      Matcher m = HEADER.matcher(line);
      if (m.matches()) {
        assertEquals(String.valueOf(mib), m.group(1));
        return m.group(2);
      }
    }
    throw new AssertionError("no 'randmem <n> MiB sum=' line\n" + bg.describe());
  }
}
