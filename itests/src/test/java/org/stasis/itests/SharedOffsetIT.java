package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * sharedoffset: a parent and the child it forked write one file, taking turns, through the
 * descriptor they share since the fork (one open file, one offset, not O_APPEND), and the
 * parent also through a dup of it. After two checkpoint / SIGKILL / restart cycles the file
 * must read "P 1", "C 1", "D 1", "P 2", ... with nothing overwritten: the restarted processes
 * share one open file again (reopened by one of them and handed to the other; the dup made
 * again with dup), so they still share its offset.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SharedOffsetIT extends TreeItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aFileSharedAcrossForkKeepsOneOffset(RunAs who, TestInfo info) {
    harness(who, info);
    Path file = h.dir().resolve("turns.txt");
    Harness.Bg running = h.launch(Program.c("sharedoffset", file.toString(), "20"));
    h.waitForValues(running, Series.COUNT, 20, Harness.DEFAULT_WAIT);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, Series.COUNT, 20);
      assertEquals(2, c.checkpoint().images().size(), "one image per process: " + c.checkpoint().images());
      running = c.restarted();
    }
    killComputation();
    List<String> lines = read(file);
    assertFalse(lines.size() < 60, "too few lines in " + file + ": " + lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String want = "PCD".charAt(i % 3) + " " + (i / 3 + 1);
      assertEquals(want, lines.get(i), "line " + (i + 1) + " of " + file + " (an overwrite means the offset "
          + "was not shared): " + lines.subList(Math.max(0, i - 4), Math.min(lines.size(), i + 4)));
    }
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
