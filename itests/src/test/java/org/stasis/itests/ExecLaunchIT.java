package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Programs that reach the real computation through one or more execs, as users start them:
 * {@code env}, {@code taskset}, {@code nice}, {@code stdbuf}, {@code bash -c '...; exec prog'},
 * a script whose first line is {@code #!/usr/bin/env python3}, and that script run by a
 * {@code python3} which is itself a wrapper script (pyenv's shims are). The coordinator is the
 * one launch starts itself, which stops when its last process leaves: an exec must not count
 * as leaving. Each shape: two checkpoint / SIGKILL / restart cycles, the count going on with
 * nothing lost or repeated.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecLaunchIT extends ItBase {

  enum Shape { ENV, TASKSET, NICE, STDBUF, BASH_EXEC, ENV_SHEBANG, WRAPPER_INTERPRETER }

  static Stream<Arguments> shapes() {
    return RunAs.eachCase(List.of(Shape.values()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("shapes")
  void aProgramReachedThroughExecIsCheckpointedAndRestarted(Shape shape, RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Program python = Program.python();
    Path countBin = Harness.EXAMPLES.resolve("count").toAbsolutePath();
    Program target;
    List<String> argv;
    Map<String, String> env = Map.of();
    switch (shape) {
      case ENV -> {
        target = count;
        argv = List.of("/usr/bin/env", "STASIS_EXAMPLE=1", countBin.toString());
      }
      case TASKSET -> {
        target = count;
        argv = List.of("taskset", "-c", "0", countBin.toString());
      }
      case NICE -> {
        target = count;
        argv = List.of("nice", "-n", "5", countBin.toString());
      }
      case STDBUF -> {
        target = count;
        argv = List.of("stdbuf", "-oL", countBin.toString());
      }
      case BASH_EXEC -> {
        target = count;
        argv = List.of("/bin/bash", "-c", "echo starting; exec " + countBin);
      }
      case ENV_SHEBANG -> {
        target = python;
        argv = List.of(envScript().toString());
        env = Map.of("PATH", Harness.bin("").toAbsolutePath() + ":" + Program.python3().getParent() + ":/usr/bin:/bin");
      }
      case WRAPPER_INTERPRETER -> {
        target = python;
        argv = List.of(envScript().toString());
        env = Map.of("PATH", Harness.bin("").toAbsolutePath() + ":" + wrapperDir() + ":/usr/bin:/bin");
      }
      default -> throw new IllegalStateException(shape.toString());
    }
    Harness.Bg launched = h.launch(env, new Program(argv, target.comm(), target.identity(),
        target.cmdlineMarker()));
    h.waitForValues(launched, Series.COUNT, 10, Harness.DEFAULT_WAIT);
    assertConsecutive(Series.COUNT.values(launched.lines()), "launched " + shape, launched);

    Cycle first = checkpointKillRestart(launched, target, Series.COUNT, 12);
    h.waitForValues(first.restarted(), Series.COUNT, 18, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), target, Series.COUNT, 12);
    assertConsecutive(Series.COUNT.values(second.restarted().lines()), shape + " after the second restart",
        second.restarted());
    assertTrue(second.restarted().alive(), "the restarted " + shape + " program ended\n"
        + second.restarted().describe());
  }

  /** count.py copied into the test's directory, run by its {@code #!/usr/bin/env python3} line. */
  private Path envScript() {
    Path script = h.copyIn(Harness.EXAMPLES.resolve("count.py"), "count.py");
    executable(script);
    return script;
  }

  /** A directory whose python3 is a shell script that execs the real one, as pyenv's shims do. */
  private Path wrapperDir() {
    Path dir = h.newDir("shims");
    Path shim = dir.resolve("python3");
    try {
      Files.writeString(shim, "#!/bin/sh\n# a shim, as pyenv installs them\nexec " + Program.python3() + " \"$@\"\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    executable(shim);
    h.chown(shim);
    return dir;
  }

  private static void executable(Path p) {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
