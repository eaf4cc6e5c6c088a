package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The launch fast path (lib/stasis-fastlaunch with the launch plan the Java front end caches,
 * docs/architecture.md "Fast launch") against the Java front end as the reference: the same
 * launch through both gives the program the same environment, signal state and descriptors,
 * and the same exit status and messages when the program cannot run; a fast-launched program
 * checkpoints and restarts; a change to bundles/, the site configuration or the plugin
 * variables sends the next launch through Java again.
 *
 * <p>Each test uses a private installation (bin/ copies of the scripts, lib/ linked to the
 * built one, its own bundles/ and etc/) so that it can change bundles and configuration, and a
 * private XDG_CACHE_HOME for the plans. Which path a launch took is read from its STASIS_DEBUG
 * output ("fast launch: running ..." or "fast launch: handing over to the Java front end: ...").
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FastLaunchIT extends ItBase {

  private static final Duration T = Duration.ofSeconds(60);
  private static final String USED = ": fast launch: using the launch plan ";
  private static final String RAN = ": fast launch: running ";
  private static final String HANDED_OVER = ": fast launch: handing over to the Java front end: ";

  private Path home;
  private Map<String, String> env;

  /** A private installation, a plan cache and a coordinator on the harness's port. */
  private void setUp(RunAs who, TestInfo info) {
    harness(who, info);
    try {
      // as the scripts see it (readlink -f), so that paths in messages compare equal
      home = h.dir().toRealPath().resolve("stasis");
      Files.createDirectories(home.resolve("bin"));
      for (String c : List.of("dmtcp_launch", "dmtcp_coordinator", "dmtcp_command", "dmtcp_restart", "stasis")) {
        Path copy = Files.copy(Harness.bin(c), home.resolve("bin").resolve(c));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.createSymbolicLink(home.resolve("lib"), Harness.STASIS_HOME.resolve("lib"));
      Files.createDirectories(home.resolve("bundles"));
      Files.createDirectories(home.resolve("etc"));
      Files.copy(Harness.STASIS_HOME.resolve("etc/stasis.conf"), home.resolve("etc/stasis.conf"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    env = new HashMap<>();
    env.put("XDG_CACHE_HOME", h.newDir("cache").toString());
    Harness.Result c = h.run(T, List.of(bin("dmtcp_coordinator"), "--daemon", "-q", "-p", String.valueOf(h.port()),
        "--ckptdir", h.dir().toString()));
    assertTrue(c.exit() == 0, "coordinator did not start\n" + c.describe());
  }

  private String bin(String command) {
    return home.resolve("bin").resolve(command).toString();
  }

  /**
   * A plan is only made from inputs older than 2 s at the launch's start (a change within the
   * file system's timestamp granularity could go unseen otherwise): wait that out after a change.
   */
  private static void settle() {
    Harness.sleep(2500);
  }

  /** dmtcp_launch -j -p PORT [options] program..., with extra variables. */
  private Harness.Result launch(Map<String, String> extra, String... args) {
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_launch"), "-j", "-p", String.valueOf(h.port())));
    cmd.addAll(List.of(args));
    return launchCmd(cmd, extra);
  }

  private Harness.Result launchCmd(List<String> cmd, Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putAll(extra);
    Harness.Result r = h.run(T, cmd, all);
    assertTrue(!r.timedOut(), "launch timed out\n" + r.describe());
    return r;
  }

  private static Map<String, String> debug() {
    return Map.of("STASIS_DEBUG", "1");
  }

  private static Map<String, String> javaOnly() {
    return Map.of("STASIS_FAST_LAUNCH", "0");
  }

  private static void assertFast(Harness.Result r) {
    assertTrue(r.err().contains(USED) && r.err().contains(RAN) && !r.err().contains(HANDED_OVER),
        "expected the fast path\n" + r.describe());
  }

  private static void assertHandedOver(Harness.Result r, String why) {
    assertTrue(r.err().contains(HANDED_OVER + why) || (why.isEmpty() && r.err().contains(HANDED_OVER)),
        "expected the Java front end, because: " + why + "\n" + r.describe());
  }

  /** Makes sure a plan exists for this launch: any launch after the inputs settled writes it. */
  private void warm(Map<String, String> extra, String... args) {
    settle();
    launch(extra, args);
    Map<String, String> d = new HashMap<>(extra);
    d.putAll(debug());
    assertFast(launch(d, args));
  }

  private static List<String> sortedLines(String s, String... ignoredVariables) {
    List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n")));
    lines.removeIf(l -> Arrays.stream(ignoredVariables).anyMatch(v -> l.startsWith(v + "=")));
    lines.sort(null);
    return lines;
  }

  private Path script(String name, String text) {
    Path p = h.newFile(name);
    try {
      Files.writeString(p, text);
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void theProgramStartsAsTheJavaFrontEndWouldStartIt(RunAs who, TestInfo info) {
    setUp(who, info);
    warm(Map.of(), "/usr/bin/env");

    // STASIS_MANAGED_PID: the agent marks the pid it manages, another process each time.
    // STASIS_FAST_LAUNCH: set only for the Java run; it is the switch itself.
    // STASIS_LAUNCH_STDIO: the agent notes the launch's standard descriptors, other files each run.
    Harness.Result fast = launch(debug(), "/usr/bin/env");
    assertFast(fast);
    assertEquals(0, fast.exit(), fast.describe());
    Map<String, String> javaDebug = new HashMap<>(javaOnly());
    javaDebug.putAll(debug());
    Harness.Result java = launch(javaDebug, "/usr/bin/env");
    assertEquals(0, java.exit(), java.describe());
    String[] perRun = {"STASIS_MANAGED_PID", "STASIS_LAUNCH_STDIO"};
    String[] differ = {"STASIS_MANAGED_PID", "STASIS_FAST_LAUNCH", "STASIS_LAUNCH_STDIO"};
    List<String> fastEnv = sortedLines(fast.out(), differ);
    assertEquals(sortedLines(java.out(), differ), fastEnv,
        "environment through the fast path vs through the JVM");
    assertTrue(fastEnv.stream().anyMatch(l -> l.startsWith("LD_PRELOAD=" + home.resolve("lib/libstasis.so"))),
        fast.out());
    assertTrue(fastEnv.stream().anyMatch(l -> l.startsWith("STASIS_COORD_SECRET=")), fast.out());

    // Handed over by stasis-fastlaunch (it leaves -p=PORT to picocli): the script's marker must
    // not reach the program, nothing else may differ.
    List<String> cmd = List.of(bin("dmtcp_launch"), "-j", "-p=" + h.port(), "/usr/bin/env");
    Harness.Result handed = launchCmd(cmd, debug());
    assertHandedOver(handed, "an option this program does not know");
    assertEquals(sortedLines(fast.out(), perRun), sortedLines(handed.out(), perRun),
        "environment through the fast path vs handed over to the JVM");

    // stasis launch is the same command
    Harness.Result verb = launchCmd(List.of(bin("stasis"), "launch", "-j", "-p", String.valueOf(h.port()),
        "/usr/bin/env"), debug());
    assertFast(verb);
    assertEquals(sortedLines(fast.out(), perRun), sortedLines(verb.out(), perRun));

    // Signals and descriptors: the caller blocks and ignores some signals and hands over
    // descriptors 5 and 6. The JVM empties the mask, resets the signals it handles itself (PIPE,
    // QUIT, USR2 here) and keeps the others ignored, and passes exactly the descriptors it was
    // given. (The program looks at itself: a shell reading its own status while it forks would
    // see the agent's fork wrapper block signals for a moment.) The caller's soft descriptor
    // limit (1000 here; 1024 in most shells) reaches the program: the JVM raises its own.
    Path wrap = script("wrap.py", String.join("\n",
        "import os, resource, signal, sys",
        "resource.setrlimit(resource.RLIMIT_NOFILE, (1000, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))",
        "for target, mode in ((5, os.O_WRONLY), (6, os.O_RDONLY)):",
        "    fd = os.open('/dev/null', mode)",
        "    os.dup2(fd, target)", // inheritable, unlike what os.open returns
        "    os.close(fd)",
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGALRM})",
        "for s in (signal.SIGPIPE, signal.SIGQUIT, signal.SIGHUP, signal.SIGTRAP, signal.SIGUSR2):",
        "    signal.signal(s, signal.SIG_IGN)",
        "os.execv(sys.argv[1], sys.argv[1:])", ""));
    for (List<String> program : List.of(List.of("/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"),
        List.of("/bin/ls", "/proc/self/fd"), List.of("/bin/grep", "^Max open files", "/proc/self/limits"))) {
      List<String> probed = new ArrayList<>(List.of(Program.python3().toString(), wrap.toString(),
          bin("dmtcp_launch"), "-j", "-p", String.valueOf(h.port())));
      probed.addAll(program);
      Harness.Result fastProbe = launchCmd(probed, debug());
      assertFast(fastProbe);
      Harness.Result javaProbe = launchCmd(probed, javaOnly());
      assertEquals(javaProbe.out(), fastProbe.out(), "fast path vs JVM\n" + fastProbe.describe() + javaProbe.describe());
      List<String> lines = Arrays.asList(fastProbe.out().split("\n"));
      if (program.get(0).endsWith("ls")) {
        assertTrue(lines.contains("5") && lines.contains("6"), "inherited descriptors missing\n" + fastProbe.describe());
      } else if (program.contains("/proc/self/limits")) {
        assertEquals("1000", lines.get(0).split("\\s{2,}")[1], "the caller's soft limit\n" + fastProbe.describe());
      } else {
        // nothing blocked; SIGHUP (bit 0) still ignored, SIGPIPE (bit 12) back to its default
        assertEquals("SigBlk:\t0000000000000000", lines.get(0), fastProbe.describe());
        long ignored = Long.parseUnsignedLong(lines.get(1).split("\\s+")[1], 16);
        assertTrue((ignored & 1) != 0 && (ignored & (1L << 12)) == 0, fastProbe.describe());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aProgramThatCannotRunFailsAsWithTheJavaFrontEnd(RunAs who, TestInfo info) {
    setUp(who, info);
    Path notExecutable = h.newFile("not-executable");
    Path pathDir = h.newDir("pbin");
    Path inPath = h.newFile("pbin/itest-not-executable");
    try {
      Files.writeString(notExecutable, "echo should not run\n");
      Files.writeString(inPath, "echo should not run\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> path = Map.of("PATH", pathDir + ":/usr/local/bin:/usr/bin:/bin");
    // --rm names a plugin this installation lacks: its warning comes first, from the plan.
    warm(path, "--rm", "/bin/true");

    record Case(String program, int exit, String message) {}
    List<Case> cases = List.of(
        new Case("no-such-program-itest", 127, "dmtcp_launch: no-such-program-itest: command not found"),
        new Case("./no-such-file", 127, "dmtcp_launch: ./no-such-file: no such file or directory"),
        new Case("./not-executable", 126, "dmtcp_launch: ./not-executable: permission denied (not executable)"),
        new Case("itest-not-executable", 126, "dmtcp_launch: itest-not-executable: permission denied (" + inPath
            + " is not executable)"),
        new Case("./pbin", 126, "dmtcp_launch: ./pbin: is a directory"));
    String warning = "dmtcp_launch: warning: plugin slurm is not installed; --batch-queue has no effect and the "
        + "program runs without it\n";
    for (Case c : cases) {
      Map<String, String> pathDebug = new HashMap<>(path);
      pathDebug.putAll(debug());
      Harness.Result d = launch(pathDebug, "--rm", c.program());
      assertTrue(d.err().contains(USED) && !d.err().contains(HANDED_OVER), "expected the fast path\n" + d.describe());

      Harness.Result fast = launch(path, "--rm", c.program());
      Map<String, String> pathJava = new HashMap<>(path);
      pathJava.putAll(javaOnly());
      Harness.Result java = launch(pathJava, "--rm", c.program());
      assertEquals(c.exit(), java.exit(), java.describe());
      assertEquals(warning + c.message() + "\n", java.err(), "the reference changed?\n" + java.describe());
      assertEquals(java.exit(), fast.exit(), fast.describe());
      assertEquals(java.err(), fast.err(), "messages, fast path vs JVM");
      assertEquals("", fast.out());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void aFastLaunchedProgramCheckpointsAndRestarts(RunAs who, TestInfo info) {
    setUp(who, info);
    warm(Map.of(), "/bin/true");
    Program count = Program.c("count");
    List<String> cmd = new ArrayList<>(List.of(bin("dmtcp_launch"), "-j", "-p", String.valueOf(h.port())));
    cmd.addAll(count.argv());
    Map<String, String> all = new LinkedHashMap<>(env);
    all.putAll(debug());
    Harness.Bg launched = h.start("launch", cmd, all);
    h.waitForValues(launched, Series.COUNT, 10, Harness.DEFAULT_WAIT);
    assertTrue(launched.errText().contains(RAN + count.argv().get(0)) && !launched.errText().contains(HANDED_OVER),
        "expected the fast path\n" + launched.describe());
    assertConsecutive(Series.COUNT.values(launched.lines()), "launched count", launched);

    Cycle c = checkpointKillRestart(launched, count, Series.COUNT, 15);
    Harness.assertNoBadMarkers(c.restarted(), c.restarted().lines());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void changedBundlesOrConfigurationSendTheLaunchThroughJava(RunAs who, TestInfo info) {
    setUp(who, info);
    warm(Map.of(), "/bin/echo", "ok");

    // a new bundle
    bundle("alpha.jar", Map.of());
    Harness.Result r = launch(debug(), "/bin/echo", "ok");
    assertHandedOver(r, home.resolve("bundles") + " changed since the launch plan was made");
    assertEquals("ok\n", r.out(), r.describe());
    warm(Map.of(), "/bin/echo", "ok"); // Java made a new plan, with the bundle in it

    // the bundle itself, rewritten in place (bundles/ lists the same files)
    bundle("alpha.jar", Map.of("Bundle-Description", "rewritten by FastLaunchIT"));
    r = launch(debug(), "/bin/echo", "ok");
    assertHandedOver(r, home.resolve("bundles/alpha.jar") + " changed since the launch plan was made");
    warm(Map.of(), "/bin/echo", "ok");

    // the site configuration
    appendTo(home.resolve("etc/stasis.conf"), "# changed by FastLaunchIT\n".getBytes());
    r = launch(debug(), "/bin/echo", "ok");
    assertHandedOver(r, home.resolve("etc/stasis.conf") + " changed since the launch plan was made");
    warm(Map.of(), "/bin/echo", "ok");

    // a plugin variable: another request, which has no plan yet
    r = launch(Map.of("STASIS_DEBUG", "1", "STASIS_PLUGIN_ALPHA", "0"), "/bin/echo", "ok");
    assertHandedOver(r, "no launch plan cached for this request yet");
    assertEquals("ok\n", r.out(), r.describe());

    // a plugin that wants its launch hook at every launch: never a plan while it is installed
    bundle("every.jar", Map.of("Stasis-Launch-Hook", "every-launch"));
    settle();
    for (int i = 0; i < 2; i++) {
      r = launch(debug(), "/bin/echo", "ok");
      assertHandedOver(r, "");
      assertEquals("ok\n", r.out(), r.describe());
      assertTrue(r.err().contains("asks for its launch hook at every launch"), r.describe());
    }
  }

  /** A plugin bundle with only a manifest (no Java or native half), enabled by default. */
  private void bundle(String file, Map<String, String> extraHeaders) {
    Manifest m = new Manifest();
    Attributes a = m.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    String name = file.replace(".jar", "");
    a.putValue("Bundle-ManifestVersion", "2");
    a.putValue("Bundle-SymbolicName", "itest." + name);
    a.putValue("Bundle-Version", "1.0.0");
    a.putValue("Stasis-Plugin-Name", name);
    a.putValue("Stasis-Sdk-Version", "1.0");
    a.putValue("Stasis-Default-Enabled", "true");
    extraHeaders.forEach(a::putValue);
    Path jar = home.resolve("bundles").resolve(file);
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
      j.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS));
  }

  private static void appendTo(Path p, byte[] bytes) {
    try {
      Files.write(p, bytes, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
