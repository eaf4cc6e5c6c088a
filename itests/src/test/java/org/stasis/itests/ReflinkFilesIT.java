package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Saved files as copy-on-write clones beside the image (issue 9; docs/architecture.md, "Saved
 * files as copy-on-write clones"). On an xfs file system with reflink (a loop mount the test
 * makes as root), a 64 MiB file that {@code rewriter} keeps rewriting in the middle, saved with
 * {@code --ckpt-open-files}, goes into {@code <image>.files/g<generation>-fd<fd>-big.dat}, not
 * into the image: the image stays a few MiB. After each checkpoint the run goes on rewriting the
 * file, is killed, and the restart puts the checkpoint's contents back from the clone (rewriter
 * prints "MISMATCH at" when a block is not the checkpoint's). Two cycles; after the second
 * checkpoint only its generation's clone is left. Then the clone is removed and the restart is
 * refused, naming the file and the clone. The same run on ext4 (InPlaceFilesIT) stores the bytes
 * in the image.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReflinkFilesIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void bigFileIsClonedBesideTheImageAndComesBackAcrossTwoRestarts(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    Path fs = h.newDir("xfs");
    Assumptions.assumeTrue(h.mountXfsReflink(fs, 512), "skipped: needs root, mkfs.xfs (xfsprogs) and a loop"
        + " device to make an xfs file system with reflink");
    Path ckpt = Files.createDirectories(fs.resolve("ckpt"));
    h.chown(ckpt);
    Path big = fs.resolve("big.dat");
    Program rewriter = Program.c("rewriter", big.toString(), "64");
    Harness.Bg running = h.launch(rewriter, "--ckpt-open-files", "--ckptdir", ckpt.toString());
    h.waitForValues(running, Series.COUNT, 5, Harness.DEFAULT_WAIT);

    Path image = null;
    String firstClone = null;
    for (int cycle = 1; cycle <= 2; cycle++) {
      long before = Series.last(Series.COUNT.values(running.lines()));
      h.bcheckpoint();
      long after = Series.last(Series.COUNT.values(running.lines()));
      image = h.image(rewriter, ckpt);
      long imageBytes = Files.size(image);
      assertTrue(imageBytes < (16L << 20), "cycle " + cycle + ": the image holds the file's bytes (" + imageBytes
          + " bytes) instead of a clone\n" + Harness.listing(ckpt));
      Path folder = filesFolder(image);
      List<Path> clones = list(folder);
      assertEquals(1, clones.size(), "cycle " + cycle + ": one clone expected, older generations' removed\n"
          + Harness.listing(folder));
      String name = clones.get(0).getFileName().toString();
      assertTrue(name.matches("g[0-9]+-fd[0-9]+-big\\.dat"), "clone name " + name);
      assertEquals(64L << 20, Files.size(clones.get(0)), "the clone has the file's size");
      if (cycle == 2) {
        assertTrue(!name.equals(firstClone), "the second checkpoint's clone is a new generation's: " + name);
      }
      firstClone = name;

      int seen = Series.COUNT.values(running.lines()).size();
      h.waitForValues(running, Series.COUNT, seen + 5, Harness.DEFAULT_WAIT); // rewrites after the checkpoint
      h.killProgram(rewriter);
      Harness.assertNoBadMarkers(running, running.lines());
      Harness.Bg restarted = h.restart(image);
      List<Long> resumed = h.waitForValues(restarted, Series.COUNT, 8, Harness.DEFAULT_WAIT);
      assertResumes(resumed, before, after, "cycle " + cycle + " after restart from " + image.getFileName(), restarted);
      assertTrue(restarted.errText().contains("overwrote with the copy saved in the image: " + big),
          restarted.describe());
      Harness.assertNoBadMarkers(restarted, restarted.lines());
      assertEquals(64L << 20, Files.size(big), "the file keeps its size");
      running = restarted;
    }

    // a clone that is gone refuses the restart, naming the file and the clone
    h.bcheckpoint();
    image = h.image(rewriter, ckpt);
    int seen = Series.COUNT.values(running.lines()).size();
    h.waitForValues(running, Series.COUNT, seen + 3, Harness.DEFAULT_WAIT);
    h.killProgram(rewriter);
    Path clone = list(filesFolder(image)).get(0);
    Files.delete(clone);
    Harness.Result refused = h.restartToEnd(image);
    assertEquals(3, refused.exit(), refused.describe());
    assertTrue(refused.err().contains("restart refused: " + big + " was saved as a copy-on-write clone beside the image, "
        + clone + ", which is gone"), "the refusal does not name the file and the clone\n" + refused.describe());
  }

  private static Path filesFolder(Path image) {
    String n = image.getFileName().toString();
    return image.resolveSibling(n.substring(0, n.length() - ".dmtcp".length()) + ".files");
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + "\n" + Harness.listing(dir.getParent()), e);
    }
  }
}
