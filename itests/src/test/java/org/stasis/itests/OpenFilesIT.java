package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Open files across checkpoint, SIGKILL and restart (the files plugin's policy, docs/architecture.md
 * "Open files at restart"): a file appended through a descriptor kept open reads 1..n with
 * nothing lost or repeated; a file deleted while open reads back intact; a file open for writing
 * that changed by restart time gets the copy saved in the image back (said on standard error); one
 * that vanished or changed and was not saved refuses the restart, naming the file and the process.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OpenFilesIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void appendedFileReadsOneToNAcrossTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Path out = h.dir().resolve("numbers.txt");
    Program appender = Program.c("appender", out.toString());
    Harness.Bg launched = h.launch(appender);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    Cycle first = checkpointKillRestart(launched, appender, Series.COUNT, 5);
    h.waitForValues(first.restarted(), Series.COUNT, 10, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), appender, Series.COUNT, 5);
    h.waitForValues(second.restarted(), Series.COUNT, 10, Duration.ofSeconds(30));
    h.killProgram(appender);

    List<Long> printed = Series.COUNT.values(second.restarted().lines());
    List<Long> inFile = numbers(out);
    for (int i = 0; i < inFile.size(); i++) {
      assertEquals(i + 1, inFile.get(i), "line " + (i + 1) + " of " + out + " (a gap or a line twice): "
          + inFile.subList(Math.max(0, i - 3), Math.min(inFile.size(), i + 3)));
    }
    long last = Series.last(printed);
    assertTrue(inFile.size() >= last && inFile.size() <= last + 1, "the file ends at " + inFile.size()
        + " but the program last printed " + last);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void fileDeletedWhileOpenReadsBackIntact(RunAs who, TestInfo info) {
    harness(who, info);
    Program deleted = Program.c("deleted", h.dir().toString());
    Harness.Bg launched = h.launch(deleted);
    h.waitForValues(launched, Series.TICK_OK, 3, Harness.DEFAULT_WAIT);
    Cycle first = checkpointKillRestart(launched, deleted, Series.TICK_OK, 5);
    h.waitForValues(first.restarted(), Series.TICK_OK, 8, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), deleted, Series.TICK_OK, 5);
    Harness.assertNoBadMarkers(second.restarted(), second.restarted().lines());
    assertTrue(listDir().stream().noneMatch(n -> n.contains("deleted-while-open") || n.contains(".stasis-restored")),
        "the restored file must stay deleted: " + listDir());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void vanishedOrShortenedFileRefusesTheRestart(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    Path out = h.dir().resolve("numbers.txt");
    Program appender = Program.c("appender", out.toString());
    // not saved in the image: the file on disk is all there is
    Harness.Bg launched = h.launch(appender, "--save-written-files", "0");
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    h.bcheckpoint();
    Path image = h.image(appender);
    h.killProgram(appender);

    Files.writeString(out, "1\n"); // shorter than at the checkpoint: someone else changed it
    Harness.Result shorter = h.restartToEnd(image);
    assertNotEquals(0, shorter.exit(), shorter.describe());
    assertTrue(shorter.err().contains("restart refused: " + out + " is shorter than at the checkpoint")
        && shorter.err().contains("(process appender pid "), "the refusal does not name the file and the process\n"
        + shorter.describe());
    assertEquals("1\n", Files.readString(out), "a refused restart must leave the file alone");

    Files.delete(out);
    Harness.Result gone = h.restartToEnd(image);
    assertNotEquals(0, gone.exit(), gone.describe());
    assertTrue(gone.err().contains("restart refused: " + out + " is gone (process appender pid "),
        "the refusal does not name the file and the process\n" + gone.describe());
    assertTrue(Files.notExists(out), "the vanished file must not be silently recreated");
  }

  /**
   * A file open for writing is saved in the image by default (it is small): changed since the
   * checkpoint (here shortened by someone else), the copy is put back; gone, it is made again from
   * the copy. Both are said on standard error, naming the file and the process, and the file then
   * reads 1..n with no gap and no duplicate. As the current user (root) the launch has {@code --ckpt-open-files},
   * which saves it as well; as the other account the default policy does.
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void savedCopyComesBackWhenChangedOrGone(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    Path out = h.dir().resolve("numbers.txt");
    Program appender = Program.c("appender", out.toString());
    Harness.Bg launched = h.launch(appender, who == RunAs.CURRENT_USER ? new String[] {"--ckpt-open-files"} : new String[0]);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    long before = Series.last(Series.COUNT.values(launched.lines()));
    h.bcheckpoint();
    long after = Series.last(Series.COUNT.values(launched.lines()));
    Path image = h.image(appender);
    h.killProgram(appender);

    Files.writeString(out, "1\n"); // changed by someone else: the saved copy goes back
    Harness.Bg changed = h.restart(image);
    List<Long> resumed = h.waitForValues(changed, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertResumes(resumed, before, after, "count after the changed file got its copy back", changed);
    assertTrue(changed.errText().contains("changed since the checkpoint, overwrote with the copy saved in the image: "
        + out + " (process appender pid "), changed.describe());
    h.killProgram(appender);
    assertOneToN(out);

    Files.delete(out);
    Harness.Bg restarted = h.restart(image);
    resumed = h.waitForValues(restarted, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertResumes(resumed, before, after, "count after the file was made again", restarted);
    assertTrue(restarted.errText().contains("was gone, made again from the copy saved in the image: "
        + out + " (process appender pid "), restarted.describe());
    h.killProgram(appender);
    assertOneToN(out);
  }

  private static void assertOneToN(Path out) {
    List<Long> inFile = numbers(out);
    for (int i = 0; i < inFile.size(); i++) {
      assertEquals(i + 1, inFile.get(i), "line " + (i + 1) + " of " + out + ": " + inFile);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void allowFileOverwritePutsTheSavedCopyBack(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    Path out = h.dir().resolve("numbers.txt");
    Program appender = Program.c("appender", out.toString());
    Harness.Bg launched = h.launch(appender, "--ckpt-open-files", "--allow-file-overwrite");
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    long before = Series.last(Series.COUNT.values(launched.lines()));
    h.bcheckpoint();
    long after = Series.last(Series.COUNT.values(launched.lines()));
    Path image = h.image(appender);
    h.killProgram(appender);

    Files.writeString(out, "garbage\n");
    Harness.Bg restarted = h.restart(image);
    List<Long> resumed = h.waitForValues(restarted, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertResumes(resumed, before, after, "count after the saved copy was put back", restarted);
    assertTrue(restarted.errText().contains("overwrote with the copy saved in the image: " + out),
        restarted.describe());
    h.killProgram(appender);
    List<Long> inFile = numbers(out);
    for (int i = 0; i < inFile.size(); i++) {
      assertEquals(i + 1, inFile.get(i), "line " + (i + 1) + " of " + out + ": " + inFile);
    }
  }

  private static List<Long> numbers(Path file) {
    try {
      List<Long> out = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        out.add(Long.parseLong(line.trim()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> listDir() {
    try (var s = Files.list(h.dir())) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
