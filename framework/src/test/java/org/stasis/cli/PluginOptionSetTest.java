package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.PluginOption;
import org.stasis.sdk.StasisPlugin;
import picocli.CommandLine;

class PluginOptionSetTest {

    static final PluginOption START = new PluginOption("--counter-start", "N", "First value.", "0");
    static final PluginOption VERBOSE = new PluginOption("--counter-verbose", null, "Talk.", null);
    static final PluginOption DIR = new PluginOption("--counter-dir", "PATH", "Where, in ${HOME} or 50% off.", null);

    static StasisPlugin plugin(String name, PluginOption... options) {
        return new StasisPlugin() {
            @Override
            public PluginInfo info() {
                return new PluginInfo(name, "1", "");
            }

            @Override
            public List<PluginOption> options() {
                return List.of(options);
            }
        };
    }

    static Map<String, StasisPlugin> plugins(StasisPlugin... ps) {
        Map<String, StasisPlugin> m = new LinkedHashMap<>();
        for (StasisPlugin p : ps) {
            m.put(p.info().name(), p);
        }
        return m;
    }

    @Test
    void goodOptionsAreCollectedInPluginOrder() {
        PluginOptionSet.Collected c = PluginOptionSet.collect(plugins(plugin("counter", START, VERBOSE, DIR),
                plugin("quiet"), plugin("zeta", new PluginOption("--zeta-x", null, "X.", null))), Set.of("--help"));
        assertEquals(Map.of(), c.problems());
        assertEquals(List.of("counter", "zeta"), List.copyOf(c.options().byPlugin().keySet()));
        assertEquals(List.of("--counter-start", "--counter-verbose", "--counter-dir", "--zeta-x"), c.options().names());
        assertEquals("counter", c.options().owner("--counter-dir"));
    }

    @Test
    void badDeclarationsNameThePluginAndLeaveItsOptionsOut() {
        StasisPlugin throwing = new StasisPlugin() {
            @Override
            public PluginInfo info() {
                return new PluginInfo("boom", "1", "");
            }

            @Override
            public List<PluginOption> options() {
                throw new IllegalStateException("no options today");
            }
        };
        PluginOptionSet.Collected c = PluginOptionSet.collect(plugins(
                plugin("counter", START),
                plugin("wrong", new PluginOption("--right-x", null, "X.", null)),
                plugin("twice", new PluginOption("--twice-x", null, "X.", null),
                        new PluginOption("--twice-x", "V", "X again.", null)),
                plugin("ckpt", new PluginOption("--ckpt-open-files", null, "Mine.", null)),
                plugin("count", new PluginOption("--counter-start", null, "Prefix of another plugin.", null)),
                throwing), Set.of("--ckpt-open-files"));
        assertEquals(List.of("counter"), List.copyOf(c.options().byPlugin().keySet()));
        assertEquals("plugin wrong: option --right-x must start with --wrong- (a plugin's options are named after it)",
                c.problems().get("wrong"));
        assertEquals("plugin twice: option --twice-x is declared twice", c.problems().get("twice"));
        assertEquals("plugin ckpt: option --ckpt-open-files is already an option of the command itself",
                c.problems().get("ckpt"));
        assertEquals("plugin count: option --counter-start must start with --count- (a plugin's options are named"
                + " after it)", c.problems().get("count"));
        assertEquals("plugin boom: options() failed: no options today", c.problems().get("boom"));
    }

    @Test
    void helpShowsEachPluginUnderItsHeadingLiterally() {
        CommandLine cl = Cli.build("dmtcp_launch");
        collected(plugin("counter", START, VERBOSE, DIR)).addTo(cl.getCommandSpec());
        String help = cl.getUsageMessage();
        int heading = help.indexOf("\nOptions of plugin counter:\n");
        assertTrue(heading > help.indexOf("Other options:"), help);
        String section = help.substring(heading);
        assertTrue(section.contains("--counter-start=N"), section);
        assertTrue(section.contains("First value. (default: 0)"), section);
        assertTrue(section.contains("--counter-verbose"), section);
        assertTrue(section.contains("Where, in ${HOME} or 50% off."), section);
        assertTrue(section.indexOf("--counter-start") < section.indexOf("--counter-verbose"), section);
    }

    @Test
    void parsedValuesWithDefaultsAndVariables() {
        CommandLine cl = Cli.build("dmtcp_launch");
        PluginOptionSet set = collected(plugin("counter", START, VERBOSE, DIR));
        set.addTo(cl.getCommandSpec());
        cl.parseArgs("--counter-verbose", "--counter-dir=/a b", "prog", "--counter-start", "9");
        PluginOptionValues v = set.given(cl.getCommandSpec());
        assertEquals(Map.of("counter", Map.of("--counter-verbose", "true", "--counter-dir", "/a b")), v.given());
        assertEquals(List.of("--counter-start", "--counter-verbose", "--counter-dir"),
                List.copyOf(v.of("counter").keySet()));
        assertEquals(Map.of("--counter-start", "0", "--counter-verbose", "true", "--counter-dir", "/a b"),
                v.of("counter"));
        assertEquals(Map.of("STASIS_OPT_COUNTER_START", "0", "STASIS_OPT_COUNTER_VERBOSE", "true",
                "STASIS_OPT_COUNTER_DIR", "/a b"), v.variables("counter"));
        LaunchCommand launch = cl.getCommand();
        assertEquals(List.of("--counter-start", "9"), launch.args, "after the program, the program's");

        cl = Cli.build("dmtcp_launch");
        set.addTo(cl.getCommandSpec());
        cl.parseArgs("prog");
        v = set.given(cl.getCommandSpec());
        assertEquals(Map.of(), v.given());
        assertEquals(Map.of("--counter-start", "0"), v.of("counter"), "only defaults");
        assertEquals(Map.of(), v.of("other"));
    }

    @Test
    void optionOfADisabledPluginNamesWhatDisabledIt() {
        PluginOptionSet set = collected(plugin("counter", START));
        PluginOptionValues v = new PluginOptionValues(set, Map.of("counter", Map.of("--counter-start", "1")));
        PluginDescriptor counter = new PluginDescriptor("counter", "1", true);
        assertEquals("option --counter-start belongs to plugin counter, which is disabled by --disable-counter-plugin",
                refusal(v, new PluginFlags(false, List.of(new PluginFlags.Setting("--disable-counter-plugin",
                        "counter", false))), counter, Map.of()));
        assertEquals("option --counter-start belongs to plugin counter, which is disabled by environment variable "
                + "STASIS_PLUGIN_COUNTER", refusal(v, PluginFlags.NONE, counter, Map.of("STASIS_PLUGIN_COUNTER", "0")));
        assertEquals("option --counter-start belongs to plugin counter, which is disabled by default (enable it with "
                + "--with-plugin counter or STASIS_PLUGIN_COUNTER=1)", refusal(v, PluginFlags.NONE,
                new PluginDescriptor("counter", "1", false), Map.of()));
        v.requireEnabled(EnabledSet.resolve(List.of(counter), List.of(), Map.of(), PluginFlags.NONE, List.of()));
    }

    private static String refusal(PluginOptionValues v, PluginFlags flags, PluginDescriptor d, Map<String, String> env) {
        EnabledSet set = EnabledSet.resolve(List.of(d), List.of(), env, flags, List.of());
        CliException e = assertThrows(CliException.class, () -> v.requireEnabled(set));
        assertEquals(CliException.USAGE, e.exitCode());
        return e.getMessage();
    }

    private static PluginOptionSet collected(StasisPlugin... ps) {
        PluginOptionSet.Collected c = PluginOptionSet.collect(plugins(ps), Set.of());
        assertEquals(Map.of(), c.problems());
        return c.options();
    }
}
