package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

class PluginArgsTest {

    static final CommandSpec LAUNCH = Cli.build("dmtcp_launch").getCommandSpec();
    static final CommandSpec RESTART = Cli.build("dmtcp_restart").getCommandSpec();

    static String launch(String... args) {
        return PluginArgs.withPlugin(List.of(args), LAUNCH, true);
    }

    @Test
    void launchReadsOptionsUpToTheProgram() {
        assertEquals("a.jar", launch("--with-plugin", "a.jar", "prog"));
        assertEquals("a.jar:b", launch("-i", "5", "--with-plugin=a.jar:b", "prog"));
        assertEquals("b.jar", launch("--with-plugin", "a.jar", "--with-plugin", "b.jar", "prog"));
        // An option's value is not the program, whatever it looks like.
        assertEquals("a.jar", launch("--ckptdir", "prog", "--with-plugin", "a.jar", "prog"));
        assertEquals("a.jar", launch("--ckptdir=x", "-q", "--no-gzip", "--with-plugin", "a.jar", "prog"));
        assertNull(launch("prog", "--with-plugin", "a.jar"), "the program's own arguments");
        assertNull(launch("--", "--with-plugin", "a.jar"));
        assertNull(launch("--with-plugin"));
        // Unknown options (of plugins not loaded yet) are taken as flags.
        assertNull(launch("--counter-start", "5", "--with-plugin", "a.jar", "prog"));
        assertEquals("a.jar", launch("--counter-verbose", "--with-plugin", "a.jar", "prog"));
    }

    @Test
    void restartReadsAllArguments() {
        assertEquals("a.jar", PluginArgs.withPlugin(List.of("ckpt_1.dmtcp", "--with-plugin", "a.jar"), RESTART, false));
        assertNull(PluginArgs.withPlugin(List.of("ckpt_1.dmtcp"), RESTART, false));
    }

    @Test
    void entriesAreTrimmedAndNonEmpty() {
        assertEquals(List.of("a", "b.jar"), PluginArgs.entries(" a ::b.jar:"));
        assertEquals(List.of(), PluginArgs.entries(null));
        assertEquals(List.of(), PluginArgs.entries(""));
    }

    @Test
    void restartAddsTheLaunchsBundlesFromTheEnvironment() {
        assertEquals(List.of("x.jar", "/b/one.jar", "/b/two"), RestartCommand.withPlugins("x.jar:/b/one.jar",
                Env.of("STASIS_PLUGIN_BUNDLES", "/b/one.jar:/b/two")));
        assertEquals(List.of("/b/one.jar"), RestartCommand.withPlugins(null, Env.of("STASIS_PLUGIN_BUNDLES", "/b/one.jar")));
        assertEquals(List.of(), RestartCommand.withPlugins(null, Env.of()));
    }
}
