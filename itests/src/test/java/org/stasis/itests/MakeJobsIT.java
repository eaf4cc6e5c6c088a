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
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code make -j2} of a small generated project: 20 parts here and 20 in {@code sub/}, built by
 * a recursive make that shares the top make's jobserver pipe, each part after a 0.5 s pause and
 * written by a pipeline of commands, then everything concatenated. Checkpointed, killed and
 * restarted with the restart script twice while it builds, it must finish with make's exit
 * status 0, the same result.txt as an uninterrupted build of the same project without Stasis
 * (and without the pauses, {@code PAUSE=0}),
 * and no complaint from make about its jobserver (lost or extra tokens).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MakeJobsIT extends TreeItBase {

  static final String MAKEFILE = """
      # make -j2: sub/ first (a recursive make sharing the jobserver), then the parts here
      PAUSE ?= 0.5
      export PAUSE
      PARTS := $(shell seq 1 20)
      all: result.txt
      result.txt: sub/parts.txt $(PARTS:%=part%.txt)
      \tcat $^ > $@
      \t@echo "built $@"
      part%.txt:
      \t@sleep $(PAUSE)
      \t@echo "part $* $$(echo $* | md5sum | cut -c1-8)" > $@
      \t@echo "built $@"
      sub/parts.txt:
      \t$(MAKE) --no-print-directory -C sub parts.txt
      """;

  static final String SUB_MAKEFILE = """
      PARTS := $(shell seq 1 20)
      parts.txt: $(PARTS:%=s%.txt)
      \tcat $^ > $@
      \t@echo "built sub/$@"
      s%.txt:
      \t@sleep $(PAUSE)
      \t@echo "sub $* $$(echo sub$* | md5sum | cut -c1-8)" > $@
      \t@echo "built sub/$@"
      """;

  /** What make says when its jobserver lost or gained tokens, or could not be reached. */
  static final List<String> JOBSERVER_TROUBLE = List.of("jobserver", "INTERNAL", "***");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void parallelRecursiveMakeFinishesWithTheSameResult(RunAs who, TestInfo info) {
    harness(who, info);
    Path make = findMake();
    Path proj = project("proj");
    Path ref = project("reference");
    // the same build without Stasis and without the pauses, which only set the pace
    Harness.Result reference = h.run(Duration.ofSeconds(60), List.of(make.toString(), "-j2", "-C", ref.toString(),
        "PAUSE=0"));
    assertEquals(0, reference.exit(), "the uninterrupted build failed\n" + reference.describe());

    Harness.Bg launched = h.launch(Program.at(make, "-j2", "-C", proj.toString()));
    waitForBuilt(launched, 4);
    Harness.Bg running = launched;
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, null, 0);
      assertTrue(c.checkpoint().images().size() >= 2, "expected images of make and of what it was running: "
          + c.checkpoint().images());
      running = c.restarted();
      if (cycle == 1) {
        waitForBuilt(running, 4);
      }
    }

    assertTrue(waitForExit(running, Duration.ofSeconds(120)), "make did not finish after the second restart\n"
        + running.describe() + describe(computation()));
    assertEquals(0, running.process.exitValue(), "make's exit status after two restarts\n" + running.describe());
    assertEquals(read(ref.resolve("result.txt")), read(proj.resolve("result.txt")),
        "result.txt differs from that of the uninterrupted build\n" + running.describe());
    assertEquals(40, read(proj.resolve("result.txt")).lines().count(), read(proj.resolve("result.txt")));
    for (Harness.Bg run : List.of(launched, running)) {
      for (String trouble : JOBSERVER_TROUBLE) {
        assertFalse(run.errText().contains(trouble), "make complained (" + trouble + ")\n" + run.describe());
      }
    }
    assertNothingLeft("make");
  }

  /** The project in a fresh directory of the test, owned by the test's account. */
  private Path project(String name) {
    Path dir = h.newDir(name);
    Path sub = h.newDir(name + "/sub");
    write(dir.resolve("Makefile"), MAKEFILE);
    write(sub.resolve("Makefile"), SUB_MAKEFILE);
    return dir;
  }

  private void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    h.chown(file);
  }

  private void waitForBuilt(Harness.Bg bg, int count) {
    h.waitForOutput(bg, lines -> lines.stream().filter(l -> l.startsWith("built ")).count() >= count,
        Harness.DEFAULT_WAIT, count + " 'built' lines");
  }

  private static boolean waitForExit(Harness.Bg bg, Duration timeout) {
    try {
      return bg.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String read(Path p) {
    assertTrue(Files.isRegularFile(p), p + " was not made");
    return Harness.read(p);
  }

  private static Path findMake() {
    for (String candidate : List.of("/usr/bin/make", "/bin/make", "/usr/local/bin/make")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    throw new AssertionError("GNU make not found (/usr/bin/make); .ci/run installs it");
  }
}
