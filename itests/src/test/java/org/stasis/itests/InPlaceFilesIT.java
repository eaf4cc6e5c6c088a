package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files changed in place after the checkpoint (issue 9; docs/architecture.md, "Files changed in
 * place"). The run that is killed goes on writing its files after the checkpoint; the restarted
 * program's memory is from the checkpoint, so it must find them as they were then, or be told
 * it cannot:
 *
 * <ul>
 *   <li>an SQLite database a Python program keeps committing to (rollback journal and WAL), with
 *       the default options: saved in the image and put back; the rows end up exactly 1..n,
 *       {@code pragma integrity_check} is ok (before the fix the restarted program's next insert
 *       failed on its primary key);
 *   <li>a file larger than the save limit rewritten in the middle: the restart is refused, naming
 *       the file, the process and {@code --ckpt-open-files}, and the file is left alone (before:
 *       restarted silently, and the program found blocks newer than its memory);
 *   <li>with {@code --ckpt-open-files}, the same 64 MiB file (beyond the former 16 MiB limit of
 *       a plugin section) is saved and put back.
 * </ul>
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InPlaceFilesIT extends ItBase {

  /** Larger than the default save limit (16 MiB per file), and than the former section limit. */
  static final String BIG_MIB = "64";

  static List<Object[]> accountsAndJournals() {
    List<Object[]> out = new ArrayList<>();
    for (RunAs who : RunAs.values()) {
      out.add(new Object[] {who, "delete"});
      out.add(new Object[] {who, "wal"});
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("accountsAndJournals")
  void sqliteDatabaseKeepsEveryRowOnceAcrossTwoRestarts(RunAs who, String journal, TestInfo info) {
    harness(who, info);
    Path db = h.dir().resolve("rows.db");
    Program sql = Program.script(Program.python3(), "sqlcount.py", db.toString(), journal);
    Harness.Bg running = h.launch(sql);
    h.waitForValues(running, Series.COUNT, 4, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      running = cycle(running, sql, "cycle " + cycle);
    }
    long lastPrinted = Series.last(Series.COUNT.values(running.lines()));
    h.killProgram(sql);
    Harness.assertNoBadMarkers(running, running.lines());

    Harness.Result check = Harness.runRaw(Duration.ofSeconds(60), List.of(Program.python3().toString(), "-c",
        "import sqlite3, sys\n"
            + "c = sqlite3.connect(sys.argv[1])\n"
            + "print(c.execute('pragma integrity_check').fetchone()[0])\n"
            + "print(' '.join(str(r[0]) for r in c.execute('select k from t order by k')))\n",
        db.toString()));
    assertEquals(0, check.exit(), check.describe());
    String[] lines = check.out().split("\n");
    assertEquals("ok", lines[0].trim(), "pragma integrity_check\n" + check.describe());
    String[] keys = lines.length > 1 && !lines[1].isBlank() ? lines[1].trim().split(" ") : new String[0];
    for (int i = 0; i < keys.length; i++) {
      assertEquals(i + 1, Long.parseLong(keys[i]), "row " + (i + 1) + " of " + db + " (a gap or a row twice)");
    }
    // the kill may land between a commit and its print
    assertTrue(keys.length == lastPrinted || keys.length == lastPrinted + 1,
        "the table ends at " + keys.length + " but the program last printed " + lastPrinted);
  }

  /**
   * Checkpoint, let the program commit more, kill it while it sleeps between two transactions
   * (right after a value is printed: a kill in the middle of one would leave a hot journal behind,
   * which is a known limit, see the docs), restart, check the values continue.
   */
  private Harness.Bg cycle(Harness.Bg running, Program sql, String what) {
    long before = Series.last(Series.COUNT.values(running.lines()));
    h.bcheckpoint(Duration.ofSeconds(60));
    long after = Series.last(Series.COUNT.values(running.lines()));
    Path image = h.image(sql);
    int seen = Series.COUNT.values(running.lines()).size();
    h.waitForValues(running, Series.COUNT, seen + 3, Harness.DEFAULT_WAIT); // commits after the checkpoint
    h.killProgram(sql);
    Harness.assertNoBadMarkers(running, running.lines());
    Harness.Bg restarted = h.restart(image);
    List<Long> resumed = h.waitForValues(restarted, Series.COUNT, 6, Harness.DEFAULT_WAIT);
    assertResumes(resumed, before, after, what + ": rows after restart from " + image.getFileName(), restarted);
    Harness.assertNoBadMarkers(restarted, restarted.lines());
    return restarted;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void bigFileRewrittenInPlaceRefusesTheRestart(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    Path big = h.dir().resolve("big.dat");
    Program rewriter = Program.c("rewriter", big.toString(), BIG_MIB);
    Harness.Bg launched = h.launch(rewriter);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    h.bcheckpoint(Duration.ofSeconds(60));
    Path image = h.image(rewriter);
    int seen = Series.COUNT.values(launched.lines()).size();
    h.waitForValues(launched, Series.COUNT, seen + 5, Harness.DEFAULT_WAIT); // rewrites after the checkpoint
    h.killProgram(rewriter);
    Harness.assertNoBadMarkers(launched, launched.lines());
    String digest = sha256(big);

    Harness.Result refused = h.restartToEnd(image);
    assertNotEquals(0, refused.exit(), refused.describe());
    assertTrue(refused.err().contains("restart refused: " + big + " was changed in place since the checkpoint"),
        "the refusal does not name the file\n" + refused.describe());
    assertTrue(refused.err().contains("(process rewriter pid ") && refused.err().contains("--ckpt-open-files"),
        "the refusal does not name the process and the remedy\n" + refused.describe());
    assertEquals(digest, sha256(big), "a refused restart must leave the file alone");
    assertTrue(refused.out().lines().noneMatch(l -> l.contains("MISMATCH")), refused.describe());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void bigFileComesBackWithCkptOpenFilesAcrossTwoRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Path big = h.dir().resolve("big.dat");
    Program rewriter = Program.c("rewriter", big.toString(), BIG_MIB);
    Harness.Bg launched = h.launch(rewriter, "--ckpt-open-files");
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    Cycle first = checkpointKillRestart(launched, rewriter, Series.COUNT, 8);
    assertTrue(first.restarted().errText().contains("overwrote with the copy saved in the image: " + big),
        first.restarted().describe());
    Cycle second = checkpointKillRestart(first.restarted(), rewriter, Series.COUNT, 8);
    h.waitForValues(second.restarted(), Series.COUNT, 12, Duration.ofSeconds(30));
    Harness.assertNoBadMarkers(second.restarted(), second.restarted().lines());
    assertEquals(64L << 20, big.toFile().length(), "the file keeps its size");
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0;) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
