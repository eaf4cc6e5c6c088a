package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A checkpoint that cannot be written fails cleanly: {@code -bc} exits non-zero with a message,
 * the program keeps running, the previous image is untouched (no .tmp left over) and still
 * restarts.
 *
 * <p>An ordinary account gets a checkpoint directory it cannot write (chmod 500). Root ignores
 * permissions, so for root the directory is a 64 MiB tmpfs that is filled up after the first
 * (good) checkpoint: the next one runs out of space. If the tmpfs cannot be mounted the root
 * variant is skipped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnwritableCkptDirIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void failedCheckpointKeepsTheJobAndThePreviousImage(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    boolean root = h.account().uid() == 0;
    Path ckpt = h.newDir("ckpt");
    if (root) {
      Assumptions.assumeTrue(h.mountTmpfs(ckpt, "64m"), "skipped for root: root ignores directory "
          + "permissions, and a tmpfs to fill up cannot be mounted here (mount -t tmpfs failed)");
    }
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count, "--ckptdir", ckpt.toString());
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);

    long before = Series.last(Series.COUNT.values(launched.lines()));
    h.bcheckpoint();
    long after = Series.last(Series.COUNT.values(launched.lines()));
    Path image = h.image(count, ckpt);
    String identity = identity(image);

    Path filler = ckpt.resolve("filler");
    if (root) {
      fill(filler);
    } else {
      Files.setPosixFilePermissions(ckpt, PosixFilePermissions.fromString("r-x------"));
    }

    Harness.Result failed = h.command(Duration.ofSeconds(120), "-bc");
    assertFalse(failed.timedOut(), "-bc into an unwritable directory did not return\n" + failed.describe());
    assertNotEquals(0, failed.exit(), "-bc into an unwritable directory exited 0\n" + failed.describe());
    assertFalse(failed.all().isBlank(), "-bc failed without a message\n" + failed.describe());
    System.out.println("failed checkpoint reported:\n" + failed.describe());

    long atFailure = Series.last(Series.COUNT.values(launched.lines()));
    h.waitForValues(launched, Series.COUNT, Series.COUNT.values(launched.lines()).size() + 10, Duration.ofSeconds(20));
    assertTrue(Series.last(Series.COUNT.values(launched.lines())) >= atFailure + 10,
        "the program did not keep running after the failed checkpoint\n" + launched.describe());

    assertEquals(identity, identity(image), "the previous image was modified by the failed checkpoint");
    waitForNoTmp(ckpt);

    if (root) {
      Files.delete(filler);
    } else {
      Files.setPosixFilePermissions(ckpt, PosixFilePermissions.fromString("rwx------"));
    }
    h.killProgram(count);
    Harness.Bg restarted = h.restart(image);
    List<Long> values = h.waitForValues(restarted, Series.COUNT, 15, Harness.DEFAULT_WAIT);
    assertResumes(values, before, after, "count restarted from the image before the failed checkpoint", restarted);
  }

  private static String identity(Path image) throws IOException {
    return Files.getAttribute(image, "unix:ino") + "/" + Files.getLastModifiedTime(image).toMillis() + "/"
        + Files.size(image);
  }

  /** Writes until the file system is full (as root: tmpfs limits apply to root too). */
  private static void fill(Path filler) throws IOException {
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int chunk : new int[] {1 << 20, 4096, 512}) {
        ByteBuffer buf = ByteBuffer.allocate(chunk);
        try {
          while (true) {
            buf.clear();
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
        } catch (IOException full) {
          // no space left: try smaller pieces, then stop
        }
      }
    }
  }

  private static void waitForNoTmp(Path ckpt) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<Path> tmp;
      try (Stream<Path> s = Files.list(ckpt)) {
        tmp = s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
      }
      if (tmp.isEmpty()) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "partial image left behind after the failed checkpoint: " + tmp);
      Harness.sleep(200);
    }
  }
}
