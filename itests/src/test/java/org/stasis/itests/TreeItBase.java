package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Checkpoint, SIGKILL and restart of a computation of several processes (a program and the
 * children it forks and execs, each a worker of its own) the way a user does it:
 * {@code dmtcp_command -bc}, SIGKILL of every process, then {@code ./dmtcp_restart_script.sh},
 * which restarts all images of the newest generation with one {@code dmtcp_restart}.
 *
 * <p>Processes of such a computation come and go while a checkpoint runs (a {@code sleep} of a
 * shell loop that ends, a recipe of make): the coordinator takes the generation again without
 * them, so every blocking checkpoint must succeed at the first request
 * ({@code ChildExitDuringCheckpointIT} checks it ten times in a row).
 */
abstract class TreeItBase extends ItBase {

  /** A live process as {@code /proc/<pid>/stat} shows it (real ids, as the kernel sees them). */
  record Proc(long pid, String comm, long ppid, long pgid, long sid) {
    @Override
    public String toString() {
      return pid + " [" + comm + "] ppid " + ppid + " pgid " + pgid + " sid " + sid;
    }
  }

  /**
   * A completed checkpoint: the last value of the series printed before {@code -bc} was sent
   * and when it returned (-1 without a series), and the images the restart script lists.
   */
  record TreeCheckpoint(long before, long after, List<Path> images) {}

  /** One checkpoint / SIGKILL / restart cycle. */
  record TreeCycle(TreeCheckpoint checkpoint, Set<Long> killed, Harness.Bg restarted) {}

  /** Blocking checkpoint of the whole computation: it must succeed at once. */
  TreeCheckpoint checkpointTree(Harness.Bg running, Series series) {
    long before = series == null ? -1 : Series.last(series.values(running.lines()));
    Harness.Result r = h.command(Duration.ofSeconds(90), "-bc");
    if (r.timedOut() || r.exit() != 0) {
      fail("blocking checkpoint failed:\n" + r.describe() + "\nprocesses:\n" + describe(computation())
          + running.describe() + h.coordinatorLogTail());
    }
    long after = series == null ? -1 : Series.last(series.values(running.lines()));
    return new TreeCheckpoint(before, after, scriptImages());
  }

  /** The images that {@code dmtcp_restart_script.sh} restarts (all of the newest generation). */
  List<Path> scriptImages() {
    Path script = h.dir().resolve("dmtcp_restart_script.sh");
    assertTrue(Files.isRegularFile(script), "no restart script after the checkpoint\n" + Harness.listing(h.dir()));
    List<Path> images = new ArrayList<>();
    boolean in = false;
    try {
      for (String line : Files.readAllLines(script)) {
        String t = line.trim();
        if (t.equals("images=(")) {
          in = true;
        } else if (in && t.equals(")")) {
          break;
        } else if (in) {
          images.add(Path.of(t.replaceAll("^'|'$", "")));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertFalse(images.isEmpty(), "the restart script lists no images:\n" + Harness.read(script));
    images.forEach(p -> assertTrue(Files.isRegularFile(p), "the restart script lists " + p
        + ", which does not exist\n" + Harness.listing(h.dir())));
    return images;
  }

  /**
   * The processes of the computation: every live process of this test except the coordinator
   * (the listener on the test's port, or a coordinator JVM that is closing down).
   */
  List<Proc> computation() {
    Set<Long> pids = new TreeSet<>(h.markedPids());
    pids.removeAll(h.listenersOn(h.port()));
    List<Proc> procs = new ArrayList<>();
    for (long pid : pids) {
      Proc p = proc(pid);
      if (p != null && !isCoordinator(pid) && !exiting(pid)) {
        procs.add(p);
      }
    }
    return procs;
  }

  /**
   * A coordinator JVM: by its command line, or by the variable the launcher script gives
   * daemons only (for a daemon whose command line reads empty: CI once reported a leftover
   * JVM with an empty command line; what it was is not known yet, see assertNothingLeft).
   */
  private static boolean isCoordinator(long pid) {
    if (Harness.cmdline(pid).contains("-Dstasis.prog=dmtcp_coordinator")) {
      return true;
    }
    String environ = "\0" + Harness.readQuietly(Path.of("/proc", String.valueOf(pid), "environ"));
    return environ.contains("\0STASIS_READY_FILE=");
  }

  /**
   * A process past the point of no return in exit: its memory is gone (no executable, no
   * command line). Seen for a coordinator closing down on a loaded machine, which is not the
   * computation's and not left behind.
   */
  private static boolean exiting(long pid) {
    try {
      Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "exe"));
      return false;
    } catch (java.nio.file.NoSuchFileException e) {
      return Files.isDirectory(Path.of("/proc", String.valueOf(pid))) && Harness.cmdline(pid).isEmpty();
    } catch (IOException | SecurityException e) {
      return false; // not ours to look at: counted as alive
    }
  }

  /**
   * Once the program has exited, none of its processes may be left (waits up to 20 s for them
   * to go). What each one looked like when first seen goes into the message: a process in its
   * last moments shows little of itself.
   */
  void assertNothingLeft(String program) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Map<Long, String> firstSeen = new TreeMap<>();
    List<Proc> left;
    while (!(left = computation()).isEmpty() && System.nanoTime() < deadline) {
      for (Proc p : left) {
        firstSeen.computeIfAbsent(p.pid(), pid -> p + "  " + Harness.cmdline(pid) + "  env: "
            + Arrays.stream(Harness.readQuietly(Path.of("/proc", String.valueOf(pid), "environ")).split("\0"))
                .filter(v -> v.startsWith("STASIS_") || v.startsWith("DMTCP_"))
                .map(v -> v.substring(0, v.indexOf('=') < 0 ? v.length() : v.indexOf('=')))
                .collect(Collectors.joining(",")));
      }
      Harness.sleep(100);
    }
    assertTrue(left.isEmpty(), "processes left after " + program + " finished:\n" + describe(left)
        + "first seen as:\n  " + String.join("\n  ", firstSeen.values()));
  }

  /**
   * SIGKILLs every process of the computation, again and again until none is left (a process
   * may fork between one look at /proc and the kill); returns the pids killed.
   */
  Set<Long> killComputation() {
    Set<Long> killed = new TreeSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      List<Proc> procs = computation();
      if (procs.isEmpty()) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "processes still alive 20 s after SIGKILL:\n" + describe(procs));
      for (Proc p : procs) {
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
        killed.add(p.pid());
      }
      Harness.sleep(50);
    }
    assertFalse(killed.isEmpty(), "no process of the computation found to kill");
    return killed;
  }

  /** {@code ./dmtcp_restart_script.sh} in the test's directory, in the background. */
  Harness.Bg restartWithScript() {
    return h.start("restart", List.of("./dmtcp_restart_script.sh"));
  }

  /**
   * Checkpoint (waiting for the images), let the computation run on for a moment, SIGKILL all
   * of it, restart it with the restart script. With a series, the restarted computation must
   * print {@code valuesAfterRestart} values, the first in {@code [before + 1, after + 1]}, then
   * consecutive ({@link #assertResumes}).
   */
  TreeCycle checkpointKillRestartTree(Harness.Bg running, Series series, int valuesAfterRestart) {
    return checkpointKillRestartTree(running, series, valuesAfterRestart, restarted -> { });
  }

  /** The same, calling {@code onceRunning} as soon as the restarted computation printed its first value. */
  TreeCycle checkpointKillRestartTree(Harness.Bg running, Series series, int valuesAfterRestart,
      Consumer<Harness.Bg> onceRunning) {
    TreeCheckpoint c = checkpointTree(running, series);
    Harness.sleep(RUN_ON_AFTER_CHECKPOINT_MS);
    Set<Long> killed = killComputation();
    Harness.assertNoBadMarkers(running, running.lines());
    Harness.Bg restarted = restartWithScript();
    System.out.println("[" + getClass().getSimpleName() + " " + h.who() + "] checkpoint: " + c.images().size() + " images ("
        + c.images().stream().map(p -> p.getFileName().toString().replaceAll("_[0-9a-f]+-.*", ""))
            .collect(Collectors.joining(" ")) + "); " + killed.size() + " processes killed; restarting with "
        + "dmtcp_restart_script.sh");
    if (series != null) {
      h.waitForValues(restarted, series, 1, Harness.DEFAULT_WAIT);
      onceRunning.accept(restarted);
      List<Long> resumed = h.waitForValues(restarted, series, valuesAfterRestart, Harness.DEFAULT_WAIT);
      assertResumes(resumed, c.before(), c.after(), series.what() + " after a restart of " + c.images().size()
          + " images", restarted);
    }
    return new TreeCycle(c, killed, restarted);
  }

  /** Waits (up to 30 s) for {@code bg} to exit; its exit status. */
  static int exitStatus(Harness.Bg bg) {
    return exitStatus(bg, Duration.ofSeconds(30));
  }

  /** Waits up to {@code within} for {@code bg} to exit; its exit status. */
  static int exitStatus(Harness.Bg bg, Duration within) {
    try {
      assertTrue(bg.process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS), "still running after " + within
          + "\n" + bg.describe());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return bg.process.exitValue();
  }

  /** The process, or null if it is gone or a zombie. */
  static Proc proc(long pid) {
    String stat = Harness.readQuietly(Path.of("/proc", String.valueOf(pid), "stat"));
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    if (open < 0 || close < 0 || close + 2 >= stat.length()) {
      return null;
    }
    String[] f = stat.substring(close + 2).trim().split("\\s+");
    if (f.length < 4 || f[0].equals("Z") || f[0].equals("X")) {
      return null;
    }
    return new Proc(pid, stat.substring(open + 1, close), Long.parseLong(f[1]), Long.parseLong(f[2]),
        Long.parseLong(f[3]));
  }

  static String describe(List<Proc> procs) {
    return procs.isEmpty() ? "  (none)\n"
        : procs.stream().map(p -> "  " + p + "  " + Harness.cmdline(p.pid()) + "  [" + stateOf(p.pid()) + "]\n")
            .collect(Collectors.joining());
  }

  private static String exeOf(Path dir) {
    try {
      return Files.readSymbolicLink(dir.resolve("exe")).toString();
    } catch (IOException | SecurityException e) {
      return "(" + e.getClass().getSimpleName() + ")";
    }
  }

  /** State, thread count and wait channel, for a process that should have gone and has not. */
  private static String stateOf(long pid) {
    Path dir = Path.of("/proc", String.valueOf(pid));
    String state = "";
    String threads = "";
    for (String line : Harness.readQuietly(dir.resolve("status")).split("\n")) {
      if (line.startsWith("State:")) {
        state = line.substring(6).trim();
      } else if (line.startsWith("Threads:")) {
        threads = line.substring(8).trim();
      }
    }
    // The rest tells a process in its last moments (no memory left: empty cmdline, no exe) from
    // one that lives on, and where in the kernel it is.
    return "state " + state + ", threads " + threads + ", wchan " + Harness.readQuietly(dir.resolve("wchan")).trim()
        + ", exe " + exeOf(dir) + ", environ " + Harness.readQuietly(dir.resolve("environ")).length() + " bytes"
        + ", syscall " + Harness.readQuietly(dir.resolve("syscall")).trim()
        + ", stack " + Harness.readQuietly(dir.resolve("stack")).trim().replace('\n', '|');
  }
}
