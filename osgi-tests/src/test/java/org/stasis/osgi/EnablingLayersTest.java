package org.stasis.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stasis.cli.Cli;
import org.stasis.cli.Env;
import org.stasis.cli.LaunchCommand;
import org.stasis.cli.PluginFlags;
import picocli.CommandLine;

/**
 * Disabling a plugin through each layer of the enabled set takes its service out of what the
 * framework starts, and {@code stasis plugins --json} names the layer that decided.
 *
 * <p>Plain JUnit 5 rather than Pax Exam: the enabled set is decided by the framework (not a
 * bundle) and acted on by its own plugin host, which embeds Felix; booting that host with the
 * installation's real jars is the code path a launch takes, whereas a Pax Exam container would
 * only show what we chose to provision. The configuration-file and environment layers are also
 * checked through the real {@code stasis plugins} in a JVM of its own, so that the environment
 * is a real one. The command takes no launch flags, so the flag layer is checked on what the
 * launch's own option parser makes of them, rendered by the command's JSON writer.
 */
class EnablingLayersTest {

    @TempDir
    Path dir;
    TestInstallation installation;
    Path work;

    @BeforeEach
    void install() {
        installation = TestInstallation.create(dir.resolve("stasis"));
        work = dir.resolve("work");
    }

    @Test
    void everyPluginStartsAndIsListedByDefault() {
        LaunchedPlugins launched = launch(Env.of(), PluginFlags.NONE);
        assertEquals(List.of("files", "modify-env", "ptrace"), launched.services());
        assertEquals(List.of(), launched.problems());

        PluginsReport listed = StasisCli.plugins(installation.home(), work, Map.of());
        assertEquals(List.of("files on default", "modify-env on default", "ptrace on default"), decisions(listed),
                listed.json());
        for (TestInstallation.Sample s : TestInstallation.SAMPLES) {
            PluginsReport.Plugin p = listed.plugin(s.name());
            assertEquals(s.version(), p.version());
            assertEquals(installation.bundle(s.name()).toString(), p.file());
        }
        assertEquals(List.of(), listed.problems());
    }

    @Test
    void offInTheInstallationsConfigFile() {
        installation.configure("plugin.ptrace = off");
        String layer = "site:" + installation.siteConfig();

        assertEquals(List.of("files", "modify-env"), launch(Env.of(), PluginFlags.NONE).services());
        PluginsReport listed = StasisCli.plugins(installation.home(), work, Map.of());
        assertEquals(List.of("files on default", "modify-env on default", "ptrace off " + layer), decisions(listed),
                listed.json());
    }

    @Test
    void offInTheFileNamedByStasisConfigWhichWinsOverTheInstallationsFile() {
        installation.configure("plugin.files = on");
        Path site = dir.resolve("modulefile-site.conf");
        TestInstallation.writeText(site, "# set by a site's modulefile\nplugin.files = off\n");
        Map<String, String> vars = Map.of("STASIS_CONFIG", site.toString());

        assertEquals(List.of("modify-env", "ptrace"), launch(new Env(vars), PluginFlags.NONE).services());
        PluginsReport listed = StasisCli.plugins(installation.home(), work, vars);
        assertEquals(List.of("files off site:" + site, "modify-env on default", "ptrace on default"),
                decisions(listed), listed.json());
    }

    @Test
    void offByStasisVariableWhichWinsOverTheConfigFile() {
        installation.configure("plugin.modify-env = on");
        Map<String, String> vars = Map.of("STASIS_PLUGIN_MODIFY_ENV", "0");

        assertEquals(List.of("files", "ptrace"), launch(new Env(vars), PluginFlags.NONE).services());
        PluginsReport listed = StasisCli.plugins(installation.home(), work, vars);
        assertEquals(List.of("files on default", "modify-env off env:STASIS_PLUGIN_MODIFY_ENV", "ptrace on default"),
                decisions(listed), listed.json());
    }

    @Test
    void offByDmtcpVariable() {
        Map<String, String> vars = Map.of("DMTCP_PTRACE_PLUGIN", "0");

        assertEquals(List.of("files", "modify-env"), launch(new Env(vars), PluginFlags.NONE).services());
        PluginsReport listed = StasisCli.plugins(installation.home(), work, vars);
        assertEquals(List.of("files on default", "modify-env on default", "ptrace off env:DMTCP_PTRACE_PLUGIN"),
                decisions(listed), listed.json());
    }

    @Test
    void offByDisablePluginFlagWhichWinsOverTheEnvironment() {
        Env env = Env.of("STASIS_PLUGIN_FILES", "1");
        LaunchedPlugins launched = launch(env, launchFlags("--disable-files-plugin"));

        assertEquals(List.of("modify-env", "ptrace"), launched.services());
        assertEquals(List.of("files off flag:--disable-files-plugin", "modify-env on default", "ptrace on default"),
                decisions(launched.report()), launched.report().json());
        // and 'stasis plugins' given the same flag says the same
        PluginsReport listed = StasisCli.plugins(installation.home(), work, Map.of("STASIS_PLUGIN_FILES", "1"),
                "--disable-files-plugin");
        assertEquals(decisions(launched.report()), decisions(listed), listed.json());
    }

    @Test
    void offByDisableAllPluginsFlag() {
        LaunchedPlugins launched = launch(Env.of(), launchFlags("--disable-all-plugins"));

        assertEquals(List.of(), launched.services());
        assertEquals(List.of("files off flag:--disable-all-plugins", "modify-env off flag:--disable-all-plugins",
                "ptrace off flag:--disable-all-plugins"), decisions(launched.report()), launched.report().json());
    }

    @Test
    void dmtcpFlagTurnsOnWhatTheSiteOrDisableAllTurnedOff() {
        installation.configure("plugin.ptrace = off");
        LaunchedPlugins launched = launch(Env.of(), launchFlags("--ptrace"));
        assertEquals(List.of("files", "modify-env", "ptrace"), launched.services());
        assertEquals("flag:--ptrace", launched.report().plugin("ptrace").decidedBy());

        launched = launch(Env.of(), launchFlags("--disable-all-plugins", "--ptrace"));
        assertEquals(List.of("ptrace"), launched.services());
        assertEquals(List.of("files off flag:--disable-all-plugins", "modify-env off flag:--disable-all-plugins",
                "ptrace on flag:--ptrace"), decisions(launched.report()), launched.report().json());
    }

    private LaunchedPlugins launch(Env env, PluginFlags flags) {
        return LaunchedPlugins.load(installation, work, env, flags);
    }

    /** The flag layer of {@code dmtcp_launch <options> true}, as its own option parser makes it. */
    private PluginFlags launchFlags(String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.add("true");
        CommandLine cl = Cli.build("dmtcp_launch");
        cl.parseArgs(args.toArray(String[]::new));
        LaunchCommand launch = cl.getCommand();
        return PluginFlags.of(launch.resolve(Env.of(), work));
    }

    /** "name on|off layer" for each plugin of the installation (the built-in capture left out). */
    private static List<String> decisions(PluginsReport report) {
        return report.plugins().stream().filter(p -> p.file() != null)
                .map(p -> p.name() + (p.enabled() ? " on " : " off ") + p.decidedBy()).toList();
    }
}
