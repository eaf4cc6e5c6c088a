package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;

/**
 * Runs the installed Stasis commands and the example programs for one test.
 *
 * <p>Each harness has a fresh work directory (the current directory of everything it starts,
 * so images and restart scripts land there), a fresh coordinator port, and a unique tag put
 * into the environment of everything it starts ({@code STASIS_ITEST_TAG}). Cleanup kills every
 * process that carries the tag or listens on one of the harness's ports, whatever started it
 * (coordinators started by {@code dmtcp_launch}, restarted programs, job scripts), so a test
 * never leaves anything running, even when it fails or times out.
 *
 * <p>Commands run as the current user or, for {@link RunAs#UNPRIVILEGED}, as the account named
 * by {@code stasis.itest.user} through {@code setpriv} (or {@code runuser}), always with an
 * explicit, minimal environment ({@code env -i ...}), so the two variants differ only in the
 * account.
 *
 * <p>Every wait is bounded; a failed wait throws an {@link AssertionError} that shows the
 * outputs involved.
 */
public final class Harness implements AutoCloseable {

  public static final Path STASIS_HOME = prop("stasis.home", "../distribution/target/stasis");
  public static final Path EXAMPLES = prop("stasis.examples", "../examples/target/bin");
  /** The example third-party plugin (examples/counter-plugin), a bundle jar with a native half. */
  public static final Path COUNTER_PLUGIN = prop("stasis.plugin.counter",
      "../examples/counter-plugin/target/counter-plugin-1.0.0.jar");
  /** The probe test plugin (src/test/plugins/probe), an exploded bundle with only a native half. */
  public static final Path PROBE_PLUGIN = prop("stasis.plugin.probe", "target/plugins/probe");
  public static final Path JOBS = prop("stasis.examples.jobs", "../examples/jobs");
  public static final Path WORK_BASE = prop("stasis.itest.workdir", "target/itest-work");
  public static final String TEST_USER = System.getProperty("stasis.itest.user", "stasis-test");

  /** Lines with which the example programs report a broken invariant. */
  public static final List<String> BAD_MARKERS = List.of("INVARIANT BROKEN", "CHECKSUM MISMATCH",
      "OUT OF ORDER", "READ FAILED", "WRITE FAILED", "ALARM LOST", "READER STALLED",
      "DICT CORRUPTED", "LIST CORRUPTED", "STATE BROKEN", "DELETED FILE CORRUPTED", "MISMATCH at",
      "child-bad", "RESULT WRONG", "MISMATCH:", "NETLINK BROKEN", "LOST: no answer", "CLOSED: client",
      "checksum MISMATCH");

  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
  private static final String TAG_VAR = "STASIS_ITEST_TAG";

  private static final Set<Harness> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(
        () -> OPEN.forEach(Harness::killEverything), "stasis-itest-cleanup"));
  }

  /** An account that runs the test's processes. */
  public record Account(String name, int uid, int gid, Path home) {}

  /** A finished foreground command. */
  public record Result(List<String> command, int exit, String out, String err, boolean timedOut) {
    public String all() {
      return out + err;
    }

    public String describe() {
      return "$ " + String.join(" ", command) + "\n"
          + (timedOut ? "  TIMED OUT (killed)\n" : "  exit status " + exit + "\n")
          + "  stdout:\n" + indent(tail(out, 40)) + "  stderr:\n" + indent(tail(err, 40));
    }
  }

  /** A process started in the background, its output going to files in the work directory. */
  public final class Bg {
    public final String name;
    public final List<String> command;
    public final Process process;
    public final Path out;
    public final Path err;

    Bg(String name, List<String> command, Process process, Path out, Path err) {
      this.name = name;
      this.command = command;
      this.process = process;
      this.out = out;
      this.err = err;
    }

    /** Complete lines of stdout so far (a trailing partial line is left out). */
    public List<String> lines() {
      String s = read(out);
      int end = s.lastIndexOf('\n');
      if (end < 0) {
        return List.of();
      }
      return Arrays.asList(s.substring(0, end).split("\n", -1));
    }

    public String outText() {
      return read(out);
    }

    public String errText() {
      return read(err);
    }

    public boolean alive() {
      return process.isAlive();
    }

    public String describe() {
      String status = process.isAlive() ? "running" : "exited with status " + process.exitValue();
      return "[" + name + "] $ " + String.join(" ", command) + "\n  " + status + "\n"
          + "  stdout (" + out + "):\n" + indent(tail(outText(), 30))
          + "  stderr (" + err + "):\n" + indent(tail(errText(), 30));
    }
  }

  private final RunAs who;
  private final Account account;
  private final Path dir;
  private final int port;
  private final String tag = UUID.randomUUID().toString();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<Bg> background = new CopyOnWriteArrayList<>();
  private final Set<Integer> ports = ConcurrentHashMap.newKeySet();
  private final List<Path> mounts = new CopyOnWriteArrayList<>();
  private final List<Path> loopFiles = new CopyOnWriteArrayList<>();
  private final AtomicInteger seq = new AtomicInteger();

  private Harness(RunAs who, Account account, Path dir, int port) {
    this.who = who;
    this.account = account;
    this.dir = dir;
    this.port = port;
    ports.add(port);
  }

  // ---------------------------------------------------------------- creation

  /** A harness for an end-to-end test: the installation must exist. */
  public static Harness create(RunAs who, TestInfo info) {
    return create(who, info, true);
  }

  /**
   * @param needInstallation fail at once, with a clear message, if the Stasis installation is
   *     missing (tests of the examples or of the harness itself do not need it)
   */
  public static Harness create(RunAs who, TestInfo info, boolean needInstallation) {
    Account account = accountFor(who);
    if (needInstallation) {
      assertTrue(Files.isExecutable(STASIS_HOME.resolve("bin/dmtcp_launch")),
          "Stasis installation not found: " + STASIS_HOME.resolve("bin/dmtcp_launch")
              + " is missing; build it first (mvn -B verify from the repository root)");
    }
    assertTrue(Files.isExecutable(EXAMPLES.resolve("count")),
        "example programs not found in " + EXAMPLES + "; build the examples module first");
    try {
      Files.createDirectories(WORK_BASE);
      if (isRoot()) {
        // The unprivileged account must be able to reach its work directory.
        Files.setPosixFilePermissions(WORK_BASE, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      String prefix = info.getTestClass().map(Class::getSimpleName).orElse("test") + "-"
          + info.getTestMethod().map(m -> m.getName()).orElse("m") + "-" + who.name().toLowerCase() + "-";
      Path dir = Files.createTempDirectory(WORK_BASE, prefix);
      Harness h = new Harness(who, account, dir, freePort());
      h.chown(dir);
      Path tmp = Files.createDirectory(dir.resolve("tmp"));
      h.chown(tmp);
      h.setUpEnvironment();
      OPEN.add(h);
      if (who == RunAs.UNPRIVILEGED) {
        h.preflight(needInstallation);
      }
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Account accountFor(RunAs who) {
    if (who == RunAs.CURRENT_USER) {
      return currentAccount();
    }
    Assumptions.assumeTrue(isRoot(), "unprivileged variant skipped: the tests do not run as root "
        + "(uid " + currentAccount().uid() + "), so they cannot switch to account '" + TEST_USER + "'");
    Optional<Account> a = lookup(TEST_USER);
    Assumptions.assumeTrue(a.isPresent(), "unprivileged variant skipped: account '" + TEST_USER
        + "' does not exist (create it with: useradd -m " + TEST_USER + "; .ci/run does)");
    Assumptions.assumeTrue(a.get().uid() != 0, "unprivileged variant skipped: account '"
        + TEST_USER + "' has uid 0");
    return a.get();
  }

  private void setUpEnvironment() {
    env.put("PATH", STASIS_HOME.resolve("bin") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOME", account.home().toString());
    env.put("USER", account.name());
    env.put("LOGNAME", account.name());
    env.put("SHELL", "/bin/bash");
    env.put("LANG", "C.UTF-8");
    env.put("TERM", "dumb");
    env.put("TMPDIR", dir.resolve("tmp").toString());
    // every coordinator a test starts logs here, for the diagnostics of a failure
    env.put("DMTCP_COORD_LOG_FILENAME", coordinatorLog().toString());
    String javaHome = System.getProperty("java.home");
    if (javaHome != null) {
      env.put("JAVA_HOME", javaHome);
    }
    // Debugging aid: -Dstasis.itest.passenv=STASIS_DEBUG,FOO passes those variables through.
    for (String name : System.getProperty("stasis.itest.passenv", "").split(",")) {
      String value = name.isBlank() ? null : System.getenv(name.trim());
      if (value != null) {
        env.put(name.trim(), value);
      }
    }
    env.put(TAG_VAR, tag);
  }

  /** Fails (not skips) when the unprivileged account cannot use what the tests need. */
  private void preflight(boolean needInstallation) {
    List<String> checks = new ArrayList<>(List.of(
        "test \"$(id -u)\" = " + account.uid() + " || echo \"runs as uid $(id -u), not " + account.uid() + "\"",
        "test -w " + q(dir) + " || echo 'cannot write " + dir + "'",
        "test -x " + q(EXAMPLES.resolve("count")) + " || echo 'cannot execute " + EXAMPLES.resolve("count") + "'"));
    if (needInstallation) {
      checks.add("test -x " + q(STASIS_HOME.resolve("bin/dmtcp_launch")) + " || echo 'cannot execute "
          + STASIS_HOME.resolve("bin/dmtcp_launch") + "'");
    }
    Result r = run(Duration.ofSeconds(30), List.of("/bin/sh", "-c", String.join("; ", checks)));
    if (r.exit() != 0 || !r.all().isBlank()) {
      fail("account '" + account.name() + "' cannot run the tests (make the checkout readable and "
          + "traversable for it, as .ci/run does):\n" + r.describe());
    }
  }

  // ---------------------------------------------------------------- accessors

  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  public RunAs who() {
    return who;
  }

  public Account account() {
    return account;
  }

  public static Path bin(String command) {
    return STASIS_HOME.resolve("bin").resolve(command);
  }

  /** Another free port, also covered by cleanup. */
  public int freshPort() {
    int p = freePort();
    ports.add(p);
    return p;
  }

  // ---------------------------------------------------------------- running things

  /** The command line that runs {@code cmd} as the test's account with the test's environment. */
  public List<String> wrap(List<String> cmd, Map<String, String> extraEnv) {
    List<String> full = new ArrayList<>();
    if (who == RunAs.UNPRIVILEGED) {
      String how = System.getProperty("stasis.itest.switch", Files.isExecutable(Path.of("/usr/bin/setpriv")) ? "setpriv" : "runuser");
      if (how.equals("setpriv")) {
        // setpriv execs in place: the pid we get is the command's own pid.
        full.addAll(List.of("setpriv", "--reuid=" + account.uid(), "--regid=" + account.gid(), "--init-groups", "--"));
      } else {
        full.addAll(List.of("runuser", "-u", account.name(), "--"));
      }
    }
    full.add("/usr/bin/env");
    full.add("-i");
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putAll(extraEnv);
    all.forEach((k, v) -> full.add(k + "=" + v));
    full.addAll(cmd);
    return full;
  }

  /** Starts {@code cmd} in the background in the work directory; output to {@code <name>.out/.err}. */
  public Bg start(String name, List<String> cmd) {
    return start(name, cmd, Map.of());
  }

  public Bg start(String name, List<String> cmd, Map<String, String> extraEnv) {
    return startWith(List.of(), name, cmd, extraEnv);
  }

  /**
   * Starts {@code cmd} on one of the test hosts ({@link TestHosts}) in the background, as the
   * test's account; its pid is the command's own.
   */
  public Bg startOn(String host, String name, List<String> cmd, Map<String, String> extraEnv) {
    return startWith(TestHosts.enter(host), name, cmd, extraEnv);
  }

  /** Runs {@code cmd} on one of the test hosts, as the test's account. */
  public Result runOn(String host, Duration timeout, List<String> cmd) {
    return runWith(TestHosts.enter(host), timeout, cmd, Map.of());
  }

  private Bg startWith(List<String> entry, String name, List<String> cmd, Map<String, String> extraEnv) {
    String unique = name;
    while (Files.exists(dir.resolve(unique + ".out"))) {
      unique = name + "-" + seq.incrementAndGet();
    }
    Path out = newFile(unique + ".out");
    Path err = newFile(unique + ".err");
    ProcessBuilder pb = new ProcessBuilder(concat(entry, wrap(cmd, extraEnv)))
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
    try {
      Bg bg = new Bg(unique, List.copyOf(cmd), pb.start(), out, err);
      background.add(bg);
      return bg;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
  }

  /** Runs {@code cmd} in the foreground (bounded by {@code timeout}) as the test's account. */
  public Result run(Duration timeout, List<String> cmd) {
    return run(timeout, cmd, Map.of());
  }

  public Result run(Duration timeout, List<String> cmd, Map<String, String> extraEnv) {
    return runWith(List.of(), timeout, cmd, extraEnv);
  }

  private Result runWith(List<String> entry, Duration timeout, List<String> cmd, Map<String, String> extraEnv) {
    int n = seq.incrementAndGet();
    String base = "cmd-" + n + "-" + Path.of(cmd.get(0)).getFileName();
    Path out = newFile(base + ".out");
    Path err = newFile(base + ".err");
    ProcessBuilder pb = new ProcessBuilder(concat(entry, wrap(cmd, extraEnv)))
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    return waitFor(pb, cmd, timeout, out, err);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Runs a helper command as the test JVM's own user, outside the test's account and tag. */
  public static Result runRaw(Duration timeout, List<String> cmd) {
    try {
      Path out = Files.createTempFile("itest-raw", ".out");
      Path err = Files.createTempFile("itest-raw", ".err");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        return waitFor(pb, cmd, timeout, out, err);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Result waitFor(ProcessBuilder pb, List<String> cmd, Duration timeout, Path out, Path err) {
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(cmd, 127, "", "cannot start: " + e.getMessage(), false);
    }
    boolean done;
    try {
      done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done = false;
    }
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new Result(cmd, done ? p.exitValue() : -1, read(out), read(err), !done);
  }

  // ---------------------------------------------------------------- Stasis commands

  /**
   * {@code dmtcp_coordinator --daemon [options] -p PORT}, for programs launched separately that
   * join it ({@link #joining}); fails the test when it does not start.
   */
  public void startDaemonCoordinator(String... options) {
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_coordinator").toString(), "--daemon"));
    cmd.addAll(List.of(options));
    cmd.addAll(List.of("-p", String.valueOf(port)));
    Result r = run(Duration.ofSeconds(60), cmd);
    if (r.exit() != 0) {
      fail("the coordinator did not start\n" + r.describe());
    }
  }

  /** {@code dmtcp_launch -j -p PORT program...}: the command line of a program joining this test's coordinator. */
  public List<String> joining(List<String> program) {
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_launch").toString(), "-j", "-p", String.valueOf(port)));
    cmd.addAll(program);
    return cmd;
  }

  /** {@code dmtcp_launch -p PORT --new-coordinator [options] program...} in the background. */
  public Bg launch(Program program, String... launchOptions) {
    return launch(Map.of(), program, launchOptions);
  }

  /** The same, with variables added to the test's environment. */
  public Bg launch(Map<String, String> extraEnv, Program program, String... launchOptions) {
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_launch").toString(), "-p", String.valueOf(port), "--new-coordinator"));
    cmd.addAll(List.of(launchOptions));
    cmd.addAll(program.argv());
    return start("launch", cmd, extraEnv);
  }

  /** {@code dmtcp_restart -p PORT [options] image} in the background. */
  public Bg restart(Path image, String... restartOptions) {
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_restart").toString(), "-p", String.valueOf(port)));
    cmd.addAll(List.of(restartOptions));
    cmd.add(image.toString());
    return start("restart", cmd);
  }

  /** {@code dmtcp_restart -p PORT image} in the foreground, for a restart that is to end (refused, say). */
  public Result restartToEnd(Path image) {
    return run(Duration.ofSeconds(60),
        List.of(bin("dmtcp_restart").toString(), "-p", String.valueOf(port), image.toString()));
  }

  /** {@code dmtcp_command -p PORT args...}. */
  public Result command(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_command").toString(), "-p", String.valueOf(port)));
    cmd.addAll(List.of(args));
    return run(timeout, cmd);
  }

  /** {@code dmtcp_command -p PORT -bc}, which must succeed. */
  public Result bcheckpoint() {
    return bcheckpoint(Duration.ofSeconds(60));
  }

  public Result bcheckpoint(Duration timeout) {
    Result r = command(timeout, "-bc");
    assertTrue(!r.timedOut() && r.exit() == 0, "blocking checkpoint failed:\n" + r.describe()
        + "\nwork directory: " + listing(dir) + coordinatorLogTail());
    return r;
  }

  /** The one image of {@code program} in the work directory. */
  public Path image(Program program) {
    return image(program, dir);
  }

  /** The one image of {@code program} in {@code ckptDir} ({@code ckpt_*.dmtcp}, never a .tmp). */
  public Path image(Program program, Path ckptDir) {
    List<Path> all = images(ckptDir);
    if (all.size() > 1) {
      all = all.stream().filter(p -> p.getFileName().toString().startsWith("ckpt_" + program.comm() + "_")).toList();
    }
    if (all.size() != 1) {
      fail("expected exactly one checkpoint image of " + program.comm() + " in " + ckptDir + ", found "
          + all + "\n" + listing(ckptDir));
    }
    return all.get(0);
  }

  public static List<Path> images(Path ckptDir) {
    try (Stream<Path> s = Files.list(ckptDir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith("ckpt_") && n.endsWith(".dmtcp") && Files.isRegularFile(p);
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- processes

  /** Live pids of {@code program} started by this test (launched or restarted). */
  public Set<Long> programPids(Program program) {
    Set<Long> pids = new TreeSet<>();
    String identity = program.identity().toString();
    for (long pid : markedPids()) {
      if (!isAlive(pid)) {
        continue;
      }
      String maps = readQuietly(Path.of("/proc", String.valueOf(pid), "maps"));
      if (maps.contains(identity)
          && (program.cmdlineMarker() == null || cmdline(pid).contains(program.cmdlineMarker()))) {
        pids.add(pid);
      }
    }
    if (pids.isEmpty() && Files.isExecutable(bin("dmtcp_command"))) {
      // Fall back to the coordinator's list: any number on a line naming the program that is
      // the pid of a live process of this test.
      Set<Long> marked = markedPids();
      Result r = command(Duration.ofSeconds(15), "-l");
      for (String line : r.out().split("\n")) {
        if (!line.contains(program.comm())) {
          continue;
        }
        Matcher m = Pattern.compile("\\d+").matcher(line);
        while (m.find()) {
          try {
            long n = Long.parseLong(m.group());
            if (marked.contains(n) && isAlive(n)) {
              pids.add(n);
            }
          } catch (NumberFormatException ignored) {
            // too long to be a pid
          }
        }
      }
    }
    return pids;
  }

  /** SIGKILLs the program (found by {@link #programPids}) and waits until it is gone. */
  public Set<Long> killProgram(Program program) {
    Set<Long> pids = programPids(program);
    assertFalse(pids.isEmpty(), "no running process of " + program.comm() + " found to kill; processes of this test:\n"
        + describeProcesses(markedPids()));
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (pids.stream().anyMatch(Harness::isAlive)) {
      assertTrue(System.nanoTime() < deadline, "program still alive 20 s after SIGKILL: " + pids);
      sleep(50);
    }
    return pids;
  }

  /** Pids of live processes that carry this test's tag in their environment. */
  public Set<Long> markedPids() {
    byte[] needle = (TAG_VAR + "=" + tag + "\0").getBytes(StandardCharsets.UTF_8);
    Set<Long> result = new TreeSet<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        if (pid == self) {
          continue;
        }
        try {
          byte[] environ = Files.readAllBytes(p.resolve("environ"));
          if (indexOf(environ, needle) >= 0 && isAlive(pid)) {
            result.add(pid);
          }
        } catch (IOException | SecurityException ignored) {
          // gone, or not ours
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  /** True if the process exists and is not a zombie. */
  public static boolean isAlive(long pid) {
    String stat = readQuietly(Path.of("/proc", String.valueOf(pid), "stat"));
    int close = stat.lastIndexOf(')');
    if (stat.isEmpty() || close < 0 || close + 2 >= stat.length()) {
      return false;
    }
    char state = stat.charAt(close + 2);
    return state != 'Z' && state != 'X' && state != 'x';
  }

  public static String cmdline(long pid) {
    return readQuietly(Path.of("/proc", String.valueOf(pid), "cmdline")).replace('\0', ' ').trim();
  }

  public static String comm(long pid) {
    return readQuietly(Path.of("/proc", String.valueOf(pid), "comm")).trim();
  }

  public static String describeProcesses(Set<Long> pids) {
    StringBuilder sb = new StringBuilder();
    for (long pid : pids) {
      sb.append("  ").append(pid).append(" [").append(comm(pid)).append("] ").append(cmdline(pid)).append('\n');
    }
    return sb.length() == 0 ? "  (none)\n" : sb.toString();
  }

  /** Pids of processes of the test's account that listen on {@code port} (TCP, v4 or v6). */
  public Set<Long> listenersOn(int p) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      String[] lines = readQuietly(Path.of(table)).split("\n");
      for (int i = 1; i < lines.length; i++) {
        String[] f = lines[i].trim().split("\\s+");
        if (f.length > 9 && f[3].equals("0A")) {
          String local = f[1];
          int lp = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
          if (lp == p) {
            inodes.add("socket:[" + f[9] + "]");
          }
        }
      }
    }
    Set<Long> result = new TreeSet<>();
    if (inodes.isEmpty()) {
      return result;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path proc : ds) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || uidOf(Long.parseLong(name)) != account.uid()) {
          continue;
        }
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                result.add(Long.parseLong(name));
                break;
              }
            } catch (IOException ignored) {
              // fd closed meanwhile
            }
          }
        } catch (IOException | SecurityException ignored) {
          // gone, or not ours
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    result.remove(ProcessHandle.current().pid());
    return result;
  }

  private static int uidOf(long pid) {
    for (String line : readQuietly(Path.of("/proc", String.valueOf(pid), "status")).split("\n")) {
      if (line.startsWith("Uid:")) {
        return Integer.parseInt(line.split("\\s+")[1]);
      }
    }
    return -1;
  }

  /** SIGKILLs every process of this test: tagged ones, listeners on its ports, what it started. */
  public void killEverything() {
    for (int round = 0; round < 20; round++) {
      Set<Long> pids = new TreeSet<>(markedPids());
      for (int p : ports) {
        pids.addAll(listenersOn(p));
      }
      for (Bg bg : background) {
        if (bg.process.isAlive()) {
          pids.add(bg.process.pid());
        }
      }
      pids.remove(ProcessHandle.current().pid());
      pids.removeIf(pid -> !isAlive(pid));
      if (pids.isEmpty()) {
        break;
      }
      for (long pid : pids) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      sleep(100);
    }
    for (Bg bg : background) {
      try {
        bg.process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ---------------------------------------------------------------- waiting

  /**
   * Waits until {@code bg} has printed at least {@code count} lines of {@code series}; returns
   * all values so far. Fails at once when a program reports a broken invariant, and early when
   * {@code bg} has exited and its output stopped growing.
   */
  public List<Long> waitForValues(Bg bg, Series series, int count, Duration timeout) {
    waitForOutput(bg, lines -> series.values(lines).size() >= count, timeout,
        count + " '" + series.what() + "' lines");
    return series.values(bg.lines());
  }

  /** Waits until {@code predicate} holds for the complete stdout lines of {@code bg}. */
  /** Waits until {@code condition} holds (a file appears, a log gets a line); fails naming {@code what}. */
  public void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "\nwork directory: "
            + listing(dir));
      }
      sleep(50);
    }
  }

  public List<String> waitForOutput(Bg bg, Predicate<List<String>> predicate, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long exitedAt = -1;
    long lastSize = -1;
    while (true) {
      List<String> lines = bg.lines();
      assertNoBadMarkers(bg, lines);
      if (predicate.test(lines)) {
        return lines;
      }
      long now = System.nanoTime();
      long size = fileSize(bg.out);
      if (!bg.alive()) {
        if (exitedAt < 0 || size != lastSize) {
          exitedAt = now;
        } else if (now - exitedAt > Duration.ofSeconds(5).toNanos()) {
          fail("gave up waiting for " + what + ": the process exited and its output stopped\n" + bg.describe()
              + coordinatorLogTail());
        }
      }
      lastSize = size;
      if (now > deadline) {
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n" + bg.describe()
            + "processes of this test:\n" + describeProcesses(markedPids()) + coordinatorLogTail());
      }
      sleep(50);
    }
  }

  public static void assertNoBadMarkers(Bg bg, List<String> lines) {
    for (String line : lines) {
      for (String bad : BAD_MARKERS) {
        if (line.contains(bad)) {
          fail("the program reported a broken invariant: " + line + "\n" + bg.describe());
        }
      }
    }
  }

  // ---------------------------------------------------------------- files and mounts

  /** Creates an empty file in the work directory owned by the test's account. */
  public Path newFile(String name) {
    try {
      Path p = dir.resolve(name);
      Files.deleteIfExists(p);
      Files.createFile(p);
      chown(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a directory in the work directory owned by the test's account. */
  public Path newDir(String name) {
    try {
      Path p = Files.createDirectories(dir.resolve(name));
      chown(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Gives {@code p} to the test's account (no-op unless running as root for another account). */
  public void chown(Path p) {
    if (!isRoot() || account.uid() == 0) {
      return;
    }
    try {
      Files.setAttribute(p, "unix:uid", account.uid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", account.gid(), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot chown " + p, e);
    }
  }

  /** Copies {@code src} into the work directory, owned by the test's account, keeping modes. */
  public Path copyIn(Path src, String name) {
    try {
      Path dst = dir.resolve(name);
      Files.copy(src, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      chown(dst);
      return dst;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mounts a tmpfs (root only); returns false if that is not possible here. */
  public boolean mountTmpfs(Path where, String size) {
    Result r = runRaw(Duration.ofSeconds(20), List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755",
        "stasis-itest", where.toString()));
    if (r.exit() != 0) {
      System.err.println("mount failed:\n" + r.describe());
      return false;
    }
    mounts.add(where);
    chown(where);
    return true;
  }

  /**
   * Makes a sparse file of {@code mib} MiB in the work directory, an xfs file system with reflink
   * on it ({@code mkfs.xfs -m reflink=1}) and mounts it at {@code where} through a loop device,
   * owned by the test's account (root only); returns false, having said why, when mkfs.xfs or the
   * loop mount is not available. Unmounted, and its loop device detached, in {@link #close}.
   */
  public boolean mountXfsReflink(Path where, int mib) {
    Optional<String> mkfs = List.of("/usr/sbin/mkfs.xfs", "/sbin/mkfs.xfs", "/usr/bin/mkfs.xfs").stream()
        .filter(f -> Files.isExecutable(Path.of(f))).findFirst();
    if (!isRoot() || mkfs.isEmpty()) {
      System.err.println("no xfs mount: " + (isRoot() ? "mkfs.xfs is not installed (apt-get install xfsprogs)" : "not root"));
      return false;
    }
    Path backing = dir.resolve(where.getFileName() + ".xfs");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
      f.setLength((long) mib << 20);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Result made = runRaw(Duration.ofSeconds(60), List.of(mkfs.get(), "-q", "-f", "-m", "reflink=1", backing.toString()));
    if (made.exit() != 0) {
      System.err.println("mkfs.xfs failed:\n" + made.describe());
      return false;
    }
    Result r = runRaw(Duration.ofSeconds(30), List.of("mount", "-o", "loop", backing.toString(), where.toString()));
    if (r.exit() != 0) {
      System.err.println("loop mount failed:\n" + r.describe());
      return false;
    }
    mounts.add(where);
    loopFiles.add(backing);
    chown(where);
    return true;
  }

  // ---------------------------------------------------------------- cleanup

  @Override
  public void close() {
    close(false);
  }

  /** Kills everything; on success deletes the work directory, on failure keeps it (minus big images). */
  public void close(boolean failed) {
    try {
      if (failed) {
        System.err.println(diagnostics());
      }
      if (!markedPids().isEmpty() && Files.isExecutable(bin("dmtcp_command"))) {
        command(Duration.ofSeconds(15), "-q");
      }
    } catch (RuntimeException | AssertionError e) {
      System.err.println("cleanup: dmtcp_command -q failed: " + e);
    } finally {
      killEverything();
      for (Path m : mounts) {
        runRaw(Duration.ofSeconds(20), List.of("umount", "-l", m.toString()));
      }
      // mount -o loop sets the device to detach itself at the unmount; a lazy unmount may leave it
      // busy a moment, so detach explicitly too (which also defers until it is free)
      for (Path f : loopFiles) {
        Result devs = runRaw(Duration.ofSeconds(20), List.of("losetup", "-j", f.toString()));
        for (String line : devs.out().split("\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            runRaw(Duration.ofSeconds(20), List.of("losetup", "-d", line.substring(0, colon)));
          }
        }
      }
      removeSecretFiles();
      if (failed) {
        deleteLargeFiles(dir, 32L << 20);
        System.err.println("work directory kept: " + dir);
      } else {
        deleteTree(dir);
      }
      OPEN.remove(this);
    }
  }

  /** The coordinator deletes its secret file when it exits, but not when it is SIGKILLed. */
  private void removeSecretFiles() {
    Path secrets = account.home().resolve(".stasis/coordinators");
    try (Stream<Path> s = Files.list(secrets)) {
      s.filter(p -> ports.stream().anyMatch(port -> p.getFileName().toString().endsWith("-" + port + ".secret")))
          .forEach(p -> {
            try {
              Files.deleteIfExists(p);
            } catch (IOException ignored) {
              // best effort
            }
          });
    } catch (IOException | SecurityException ignored) {
      // no such directory
    }
  }

  public String diagnostics() {
    StringBuilder sb = new StringBuilder("==== diagnostics for " + dir + " (" + who + ", port " + port + ")\n");
    sb.append("processes of this test:\n").append(describeProcesses(markedPids()));
    sb.append("files:\n").append(listing(dir));
    for (Bg bg : background) {
      sb.append(bg.describe());
    }
    return sb.append(coordinatorLogTail()).toString();
  }

  /** Where the coordinators of this test log (DMTCP_COORD_LOG_FILENAME). */
  public Path coordinatorLog() {
    return dir.resolve("tmp").resolve("coordinator.log");
  }

  /** The end of the coordinators' log, as a block for a failure message; empty when there is none. */
  public String coordinatorLogTail() {
    List<String> lines;
    try {
      lines = Files.readAllLines(coordinatorLog(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
    int from = Math.max(0, lines.size() - 40);
    StringBuilder sb = new StringBuilder("coordinator log (" + coordinatorLog() + ")"
        + (from > 0 ? ", last 40 of " + lines.size() + " lines" : "") + ":\n");
    lines.subList(from, lines.size()).forEach(l -> sb.append("    ").append(l).append('\n'));
    return sb.toString();
  }

  public static String listing(Path d) {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> s = Files.walk(d, 2)) {
      s.sorted().forEach(p -> {
        String perms;
        try {
          perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
          perms = "?";
        }
        sb.append("  ").append(perms).append(' ').append(String.format("%12d", fileSize(p))).append(' ')
            .append(d.relativize(p)).append(Files.isSymbolicLink(p) ? " -> " + readLinkQuietly(p) : "").append('\n');
      });
    } catch (IOException | UncheckedIOException e) {
      sb.append("  (cannot list: ").append(e.getMessage()).append(")\n");
    }
    return sb.toString();
  }

  private static void deleteLargeFiles(Path d, long limit) {
    try (Stream<Path> s = Files.walk(d)) {
      s.filter(Files::isRegularFile).filter(p -> fileSize(p) > limit).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }

  public static void deleteTree(Path d) {
    if (!Files.exists(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(d)) {
      List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        try {
          if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
          }
        } catch (IOException ignored) {
          // not ours; root can delete anyway
        }
      }
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("cleanup: cannot delete " + d + ": " + e);
    }
  }

  // ---------------------------------------------------------------- small utilities

  public static boolean isRoot() {
    return currentAccount().uid() == 0;
  }

  public static Account currentAccount() {
    int uid = -1;
    int gid = -1;
    for (String line : readQuietly(Path.of("/proc/self/status")).split("\n")) {
      if (line.startsWith("Uid:")) {
        uid = Integer.parseInt(line.split("\\s+")[2]); // effective uid
      } else if (line.startsWith("Gid:")) {
        gid = Integer.parseInt(line.split("\\s+")[2]);
      }
    }
    return new Account(System.getProperty("user.name"), uid, gid, Path.of(System.getProperty("user.home")));
  }

  /** The account from the password database ({@code getent passwd}), if it exists. */
  public static Optional<Account> lookup(String name) {
    Result r = runRaw(Duration.ofSeconds(10), List.of("getent", "passwd", name));
    if (r.exit() != 0 || r.out().isBlank()) {
      return Optional.empty();
    }
    String[] f = r.out().trim().split("\n")[0].split(":");
    if (f.length < 7) {
      return Optional.empty();
    }
    return Optional.of(new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5])));
  }

  /**
   * A port free now and below the kernel's ephemeral range: a port the kernel handed out for
   * {@code bind(0)} can be given again as the local port of any outgoing connection before the
   * coordinator listens on it ("port in use" in JobScriptIT once).
   */
  public static int freePort() {
    int ephemeralLow = ephemeralRangeLow();
    int low = 10000;
    int high = Math.max(low + 1000, Math.min(ephemeralLow, 65536));
    for (int tries = 0; tries < 200; tries++) {
      int port = low + PORTS.nextInt(high - low);
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new AssertionError("no free port in " + low + ".." + high + " after 200 tries");
  }

  private static final Random PORTS = new Random();

  private static int ephemeralRangeLow() {
    try {
      String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  static String readQuietly(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    } catch (IOException | SecurityException e) {
      return "";
    }
  }

  private static String readLinkQuietly(Path p) {
    try {
      return Files.readSymbolicLink(p).toString();
    } catch (IOException e) {
      return "?";
    }
  }

  static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  /** The last lines of s, and its first few when some are left out: Stasis's own warnings come first. */
  static String tail(String s, int lines) {
    List<String> all = Arrays.asList(s.split("\n", -1));
    if (all.size() <= lines) {
      return s;
    }
    int head = Math.min(8, lines / 3);
    int from = all.size() - (lines - head);
    return String.join("\n", all.subList(0, head)) + "\n... (" + (from - head) + " lines left out)\n"
        + String.join("\n", all.subList(from, all.size()));
  }

  static String indent(String s) {
    if (s.isEmpty()) {
      return "    (empty)\n";
    }
    StringBuilder sb = new StringBuilder();
    for (String line : s.split("\n")) {
      sb.append("    ").append(line).append('\n');
    }
    return sb.toString();
  }

  private static String q(Path p) {
    return "'" + p.toString().replace("'", "'\\''") + "'";
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Path prop(String key, String def) {
    return Path.of(System.getProperty(key, def)).toAbsolutePath().normalize();
  }
}
