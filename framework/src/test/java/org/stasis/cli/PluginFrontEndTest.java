package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stasis.barrier.ScriptEnvironment;
import picocli.CommandLine;

/**
 * Launch and restart with real plugin bundles in a made-up installation: options in --help and
 * on the command line, the hooks and what they hand on. Nothing here executes a program.
 */
class PluginFrontEndTest {

    @TempDir
    Path dir;
    Path home;
    Path record;

    @BeforeEach
    void installation() throws IOException {
        home = Files.createDirectories(dir.resolve("stasis"));
        Files.createDirectories(home.resolve("bundles"));
        record = dir.resolve("calls.txt");
    }

    private Env env(String... more) {
        List<String> kv = new ArrayList<>(List.of("TMPDIR", dir.resolve("tmp").toString()));
        kv.addAll(List.of(more));
        return Env.of(kv.toArray(String[]::new));
    }

    private PluginSources sources(Env env) {
        return new PluginSources(home, env, dir);
    }

    /** counter (installed, on by default): two options, a restart-script variable, records its calls. */
    private void installCounter(String... extra) throws IOException {
        List<String> b = new ArrayList<>(List.of(
                "Test-Options", "--counter-start|N|First value of the counter.|0;--counter-verbose||Say more.|",
                "Test-Script-Env", "COUNTER_HOME=/data/my counter's \"dir\" $X",
                "Test-Record", record.toString()));
        b.addAll(List.of(extra));
        TestBundles.jar(home.resolve("bundles/counter.jar"), TestBundles.plugin("counter", true, b.toArray(String[]::new)));
    }

    private Path gamma(String... extra) throws IOException {
        List<String> b = new ArrayList<>(List.of("Test-Options", "--gamma-level|L|How much.|",
                "Test-Record", record.toString()));
        b.addAll(List.of(extra));
        return TestBundles.folder(dir.resolve("gamma"), TestBundles.plugin("gamma", false, b.toArray(String[]::new)));
    }

    private List<String> calls() throws IOException {
        return Files.exists(record) ? Files.readAllLines(record) : List.of();
    }

    record Run(int rc, String out, String err) {}

    private Run run(Env env, String prog, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Cli.run(prog, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), sources(env));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** What Cli.run does before parsing, then the parse: a launch command ready to resolve. */
    private LaunchCommand parsedLaunch(Env env, String... args) {
        CommandLine cl = Cli.build("dmtcp_launch", sources(env));
        LaunchCommand cmd = cl.getCommand();
        cmd.loadedPlugins().prepare(cl.getCommandSpec(),
                cmd.withPluginsBeforeParsing(List.of(args), cl.getCommandSpec(), env),
                cmd.flagsBeforeParsing(List.of(args), cl.getCommandSpec(), env), env);
        cl.parseArgs(args);
        return cmd;
    }

    private RestartCommand parsedRestart(Env env, String... args) {
        CommandLine cl = Cli.build("dmtcp_restart", sources(env));
        RestartCommand cmd = cl.getCommand();
        cmd.loadedPlugins().prepare(cl.getCommandSpec(),
                cmd.withPluginsBeforeParsing(List.of(args), cl.getCommandSpec(), env),
                cmd.flagsBeforeParsing(List.of(args), cl.getCommandSpec(), env), env);
        cl.parseArgs(args);
        return cmd;
    }

    @Test
    void helpListsTheOptionsOfInstalledAndWithPluginBundles() throws IOException {
        installCounter();
        Path gamma = gamma();
        Run launch = run(env(), "dmtcp_launch", "--with-plugin", gamma.toString(), "--help");
        assertEquals(0, launch.rc(), launch.err());
        String out = launch.out();
        assertTrue(out.contains("\nOptions of plugin counter:\n"), out);
        assertTrue(out.contains("--counter-start=N"), out);
        assertTrue(out.contains("First value of the counter. (default: 0)"), out);
        assertTrue(out.contains("--counter-verbose"), out);
        assertTrue(out.contains("\nOptions of plugin gamma:\n") && out.contains("--gamma-level=L"), out);
        assertTrue(out.indexOf("Options of plugin counter") < out.indexOf("Options of plugin gamma"), out);

        Run restart = run(env(), "stasis", "restart", "--help");
        assertEquals(0, restart.rc(), restart.err());
        assertTrue(restart.out().contains("\nOptions of plugin counter:\n"), restart.out());
        assertTrue(restart.out().contains("--with-plugin=PLUGINS"), restart.out());
        assertFalse(restart.out().contains("gamma"), "not given to this restart");

        Run disabled = run(env("STASIS_PLUGIN_COUNTER", "0"), "stasis", "launch", "--help");
        assertFalse(disabled.out().contains("--counter-start=N"), "a disabled plugin is not started, so not asked");
        assertTrue(calls().isEmpty(), "help calls no hook: " + calls());
    }

    @Test
    void withoutBundlesNoFrameworkStarts() {
        Run r = run(env(), "dmtcp_launch", "--help");
        assertEquals(0, r.rc(), r.err());
        assertFalse(r.out().contains("Options of plugin"), r.out());
        assertTrue(Files.notExists(dir.resolve("tmp")), "no plugin cache without bundles");
        Run unknown = run(env(), "dmtcp_launch", "--counter-start", "5", "no-such-program-xyz");
        assertEquals(2, unknown.rc());
        assertTrue(unknown.err().startsWith("dmtcp_launch: Unknown option: '--counter-start'"), unknown.err());
    }

    @Test
    void pluginsDeclaringNoHookOfTheCommandAreReadWithoutStartingFelix() throws IOException {
        // a Java half that only says who it is (as the files plugin's): restart need not start Felix
        TestBundles.jar(home.resolve("bundles/quiet.jar"), TestBundles.plugin("quiet", true,
                "Stasis-Java-Hooks", "none", "Test-Record", record.toString()));
        Env env = env();
        RestartCommand cmd = parsedRestart(env, "ckpt_x.dmtcp");
        RestartOptions o = cmd.resolve(env, dir);
        try (PluginSetup s = cmd.loadedPlugins().setup(env, List.of("quiet"), PluginFlags.NONE, o.withPlugins(), true)) {
            assertEquals(null, s.host(), "no framework for plugins without restart or option hooks");
            assertEquals(List.of("quiet"), s.plugins().stream().map(InstalledPlugin::name).toList());
            assertTrue(s.enabled().decision("quiet").enabled());
        }
        assertTrue(Files.notExists(dir.resolve("tmp")) || isEmpty(dir.resolve("tmp")), "no plugin cache was made");

        // one that declares the restart hook brings Felix back, and its hook runs
        TestBundles.jar(home.resolve("bundles/loud.jar"), TestBundles.plugin("loud", true,
                "Stasis-Java-Hooks", "restart", "Test-Record", record.toString()));
        RestartCommand again = parsedRestart(env, "ckpt_x.dmtcp");
        RestartOptions o2 = again.resolve(env, dir);
        RestartCommand.runPluginRestartHooks(again.loadedPlugins(), env, o2, List.of(), List.of());
        assertTrue(calls().stream().anyMatch(c -> c.startsWith("loud onRestart")), calls().toString());
        again.loadedPlugins().close();
    }

    @Test
    void unknownJavaHookIsRefusedNamingTheFile() throws IOException {
        Path bad = TestBundles.jar(dir.resolve("bad.jar"), TestBundles.plugin("bad", false, "Stasis-Java-Hooks",
                "restart, teleport"));
        PluginManifest.Invalid e = assertThrows(PluginManifest.Invalid.class,
                () -> PluginManifest.read(bad, PluginHost.ORIGIN_WITH_PLUGIN));
        assertTrue(e.getMessage().contains("Stasis-Java-Hooks names 'teleport'"), e.getMessage());
    }

    @Test
    void optionValuesReachTheLaunchContextAndTheProgramsEnvironment() throws IOException {
        installCounter();
        Path gamma = gamma("Test-Script-Env", "GAMMA_ON=yes");
        Env env = env();
        LaunchCommand cmd = parsedLaunch(env, "--with-plugin", gamma.toString(), "--counter-start", "5",
                "--gamma-level=high", "--ckptdir", "/ck", "./prog", "a", "--counter-verbose");
        LaunchOptions o = cmd.resolve(env, dir);
        PluginLaunch launch = LaunchCommand.runPluginLaunchHooks(cmd.loadedPlugins(), env, o);

        assertEquals(List.of(
                "counter onLaunch ./prog [a, --counter-verbose] /ck {--counter-start=5}",
                "gamma onLaunch ./prog [a, --counter-verbose] /ck {--gamma-level=high}"), calls());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("STASIS_OPT_COUNTER_START", "5");
        expected.put("STASIS_OPT_GAMMA_LEVEL", "high");
        expected.put("STASIS_PLUGIN_BUNDLES", gamma.toString());
        Map<String, String> script = new LinkedHashMap<>();
        script.put("COUNTER_HOME", "/data/my counter's \"dir\" $X");
        script.put("GAMMA_ON", "yes");
        expected.put("STASIS_SCRIPT_ENV", ScriptEnvironment.encode(script));
        expected.put("STASIS_ENABLED_PLUGINS", "counter:gamma");
        assertEquals(expected, launch.env());
        assertEquals(List.of(), launch.nativeNames());
        assertTrue(Files.notExists(dir.resolve("tmp")) || isEmpty(dir.resolve("tmp")), "the host is closed");
        cmd.loadedPlugins().close();
    }

    @Test
    void defaultsReachThePluginWithoutOptionsGiven() throws IOException {
        installCounter();
        Env env = env();
        LaunchCommand cmd = parsedLaunch(env, "./prog");
        PluginLaunch launch = LaunchCommand.runPluginLaunchHooks(cmd.loadedPlugins(), env, cmd.resolve(env, dir));
        assertEquals(List.of("counter onLaunch ./prog [] " + dir + " {--counter-start=0}"), calls());
        assertEquals("0", launch.env().get("STASIS_OPT_COUNTER_START"));
        assertFalse(launch.env().containsKey("STASIS_PLUGIN_BUNDLES"), "no --with-plugin bundle");
        cmd.loadedPlugins().close();
    }

    @Test
    void onlyEnabledPluginsAreStarted() throws IOException {
        installCounter();
        Env env = env();
        LaunchCommand off = parsedLaunch(env, "--disable-counter-plugin", "./prog");
        LaunchOptions o = off.resolve(env, dir);
        try (PluginSetup s = off.loadedPlugins().setup(env, PluginFlags.of(o), o.withPlugins(), true)) {
            assertFalse(s.active().contains("counter"), "disabled by a flag read before parsing: " + s.active());
        }
        LaunchCommand on = parsedLaunch(env, "./prog", "--disable-counter-plugin");
        LaunchOptions o2 = on.resolve(env, dir);
        try (PluginSetup s = on.loadedPlugins().setup(env, PluginFlags.of(o2), o2.withPlugins(), true)) {
            assertTrue(s.active().contains("counter"), "after the program the flag is the program's: " + s.active());
        }
    }

    @Test
    void optionOfADisabledPluginIsRefused() throws IOException {
        installCounter();
        Env env = env();
        LaunchCommand cmd = parsedLaunch(env, "--disable-counter-plugin", "--counter-start", "5", "./prog");
        // the plugin is never started, so its options are not in the model: refused while resolving
        CliException e = assertThrows(CliException.class, () -> cmd.resolve(env, dir));
        assertEquals("option --counter-start belongs to plugin counter, which is disabled by --disable-counter-plugin",
                e.getMessage());
        assertTrue(calls().isEmpty(), calls().toString());
        cmd.loadedPlugins().close();
    }

    @Test
    void refusingLaunchHookIsOneCleanLine() throws IOException {
        installCounter("Test-Fail", "onLaunch");
        Env env = env();
        LaunchCommand cmd = parsedLaunch(env, "./prog");
        CliException e = assertThrows(CliException.class,
                () -> LaunchCommand.runPluginLaunchHooks(cmd.loadedPlugins(), env, cmd.resolve(env, dir)));
        assertEquals("plugin counter refused the launch: the test plugin counter fails in onLaunch", e.getMessage());
        assertEquals(CliException.FAILURE, e.exitCode());
        cmd.loadedPlugins().close();
    }

    @Test
    void badOptionDeclarationFailsOnlyWhenThePluginIsEnabled() throws IOException {
        TestBundles.jar(home.resolve("bundles/wrong.jar"), TestBundles.plugin("wrong", false,
                "Test-Options", "--right-x||X.|"));
        Run help = run(env(), "dmtcp_launch", "--help");
        assertEquals(0, help.rc(), help.err());
        assertFalse(help.out().contains("--right-x"), help.out());

        Env env = env("STASIS_PLUGIN_WRONG", "1");
        LaunchCommand cmd = parsedLaunch(env, "./prog");
        CliException e = assertThrows(CliException.class,
                () -> LaunchCommand.runPluginLaunchHooks(cmd.loadedPlugins(), env, cmd.resolve(env, dir)));
        assertEquals(home.resolve("bundles/wrong.jar") + ": plugin wrong: option --right-x must start with --wrong- (a"
                + " plugin's options are named after it)", e.getMessage());
        cmd.loadedPlugins().close();
    }

    @Test
    void brokenWithPluginIsACleanErrorBeforeParsing() {
        Run r = run(env(), "stasis", "launch", "--with-plugin", "missing.jar", "no-such-program-xyz");
        assertEquals(1, r.rc());
        assertEquals("stasis launch: " + dir.resolve("missing.jar")
                + ": no such file or directory (requested by --with-plugin)\n", r.err());
    }

    @Test
    void restartCallsOnRestartInPluginOrderWithItsOwnOptions() throws IOException {
        installCounter();
        TestBundles.jar(home.resolve("bundles/delta.jar"), TestBundles.plugin("delta", true,
                "Test-Record", record.toString()));
        Path gamma = gamma();
        Env env = env("STASIS_PLUGIN_BUNDLES", gamma.toString());
        RestartCommand cmd = parsedRestart(env, "--gamma-level", "7", "ckpt_a.dmtcp", "--ckptdir", "/next");
        RestartOptions o = cmd.resolve(env, dir);
        RestartCommand.runPluginRestartHooks(cmd.loadedPlugins(), env, o, List.of(), List.of());
        String images = List.of(dir.resolve("ckpt_a.dmtcp")).toString();
        assertEquals(List.of(
                "counter onRestart " + images + " /next {--counter-start=0}",
                "delta onRestart " + images + " /next {}",
                "gamma onRestart " + images + " /next {--gamma-level=7}"), calls());
        cmd.loadedPlugins().close();
    }

    @Test
    void restartWithoutTheLaunchsBundleDoesNotKnowItsOptions() throws IOException {
        gamma();
        Run r = run(env(), "dmtcp_restart", "--gamma-level", "7", "ckpt_a.dmtcp");
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("dmtcp_restart: Unknown option: '--gamma-level'"), r.err());
    }

    @Test
    void refusingRestartHookStopsTheRestartWithOneLine() throws IOException {
        installCounter();
        Path gamma = gamma("Test-Fail", "onRestart");
        Env env = env();
        RestartCommand cmd = parsedRestart(env, "--with-plugin", gamma.toString(), "ckpt_a.dmtcp");
        RestartOptions o = cmd.resolve(env, dir);
        CliException e = assertThrows(CliException.class,
                () -> RestartCommand.runPluginRestartHooks(cmd.loadedPlugins(), env, o, List.of(), List.of()));
        assertEquals("plugin gamma refused the restart: the test plugin gamma fails in onRestart", e.getMessage());
        assertEquals(CliException.FAILURE, e.exitCode());
        assertEquals(2, calls().size(), "counter ran first, then gamma refused: " + calls());

        CommandLine cl = Cli.build("dmtcp_restart");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cl.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        assertEquals(1, Cli.report(e, cl));
        assertEquals("dmtcp_restart: plugin gamma refused the restart: the test plugin gamma fails in onRestart\n",
                err.toString(StandardCharsets.UTF_8));
        cmd.loadedPlugins().close();
    }

    private static boolean isEmpty(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.findAny().isEmpty();
        }
    }
}
