package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnabledSetTest {

    static final PluginDescriptor PTRACE = new PluginDescriptor("ptrace", "1.0.0", false);
    static final PluginDescriptor FILES = new PluginDescriptor("files", "1.0.0", true);
    static final PluginDescriptor MODIFY_ENV = new PluginDescriptor("modify-env", "1.0.0", false);
    static final PluginDescriptor SLURM = new PluginDescriptor("slurm", "2.1.0", true);
    static final List<PluginDescriptor> ALL = List.of(PTRACE, FILES, MODIFY_ENV, SLURM);

    static EnabledSet resolve(List<SiteConfig> site, Map<String, String> env, PluginFlags flags, List<String> with) {
        return EnabledSet.resolve(ALL, site, env, flags, with);
    }

    static SiteConfig conf(String file, String... lines) {
        return new SiteConfig(file, List.of(lines));
    }

    static PluginFlags flags(PluginFlags.Setting... s) {
        return new PluginFlags(false, List.of(s));
    }

    static void assertDecision(EnabledSet s, String name, boolean enabled, String layer) {
        PluginDecision d = s.decision(name);
        assertEquals(enabled, d.enabled(), name + " enabled");
        assertEquals(layer, d.layer(), name + " layer");
    }

    static CliException fails(Runnable r) {
        return assertThrows(CliException.class, r::run);
    }

    @Test
    void defaultsWhenNothingElseDecides() {
        EnabledSet s = resolve(List.of(), Map.of(), PluginFlags.NONE, List.of());
        assertDecision(s, "ptrace", false, "default");
        assertDecision(s, "files", true, "default");
        assertEquals(List.of(FILES, SLURM), s.enabled());
        assertEquals(4, s.decisions().size());
        assertNull(s.decision("nope"));
    }

    @Test
    void noPluginsInstalledIsEmpty() {
        EnabledSet s = EnabledSet.resolve(List.of(), List.of(), Map.of(), PluginFlags.NONE, List.of());
        assertTrue(s.decisions().isEmpty());
    }

    @Test
    void siteConfigOverridesDefaultsAndTheNamedFileOverridesEtc() {
        EnabledSet s = resolve(List.of(
                conf("/opt/stasis/etc/stasis.conf", "# site", "", "plugin.files = off", "plugin.ptrace=on  # gdb users"),
                conf("/etc/stasis/site.conf", "  plugin.ptrace = OFF")), Map.of(), PluginFlags.NONE, List.of());
        assertDecision(s, "files", false, "site:/opt/stasis/etc/stasis.conf");
        assertDecision(s, "ptrace", false, "site:/etc/stasis/site.conf");
        assertDecision(s, "slurm", true, "default");
    }

    @Test
    void laterLinesOfOneFileWin() {
        EnabledSet s = resolve(List.of(conf("a.conf", "plugin.ptrace = on", "plugin.ptrace = off")),
                Map.of(), PluginFlags.NONE, List.of());
        assertDecision(s, "ptrace", false, "site:a.conf");
    }

    @Test
    void malformedSiteLinesNameFileAndLine() {
        CliException e = fails(() -> resolve(List.of(conf("s.conf", "#", "ptrace = on")), Map.of(),
                PluginFlags.NONE, List.of()));
        assertEquals("s.conf:2: expected 'plugin.<name> = on|off', found 'ptrace = on'", e.getMessage());
        assertEquals(1, e.exitCode());
        e = fails(() -> resolve(List.of(conf("s.conf", "plugin.ptrace = enabled")), Map.of(), PluginFlags.NONE,
                List.of()));
        assertEquals("s.conf:1: plugin.ptrace must be on or off, not 'enabled'", e.getMessage());
        e = fails(() -> resolve(List.of(conf("s.conf", "plugin.ptrace =")), Map.of(), PluginFlags.NONE, List.of()));
        assertTrue(e.getMessage().startsWith("s.conf:1: plugin.ptrace must be on or off"), e.getMessage());
    }

    @Test
    void unknownPluginInSiteConfigNamesFileAndLine() {
        CliException e = fails(() -> resolve(List.of(conf("/etc/s.conf", "", "plugin.infiniband = off")), Map.of(),
                PluginFlags.NONE, List.of()));
        assertEquals("plugin infiniband is not installed (requested by /etc/s.conf:2)", e.getMessage());
    }

    @Test
    void environmentOverridesSiteConfig() {
        EnabledSet s = resolve(List.of(conf("s.conf", "plugin.ptrace = on", "plugin.files = off")),
                Map.of("STASIS_PLUGIN_PTRACE", "0", "DMTCP_FILES_PLUGIN", "1"), PluginFlags.NONE, List.of());
        assertDecision(s, "ptrace", false, "env:STASIS_PLUGIN_PTRACE");
        assertDecision(s, "files", true, "env:DMTCP_FILES_PLUGIN");
    }

    @Test
    void stasisVariableWinsOverDmtcpVariable() {
        EnabledSet s = resolve(List.of(), Map.of("STASIS_PLUGIN_SLURM", "1", "DMTCP_SLURM_PLUGIN", "0"),
                PluginFlags.NONE, List.of());
        assertDecision(s, "slurm", true, "env:STASIS_PLUGIN_SLURM");
    }

    @Test
    void variableNamesMapUnderscoresToDashes() {
        EnabledSet s = resolve(List.of(), Map.of("STASIS_PLUGIN_MODIFY_ENV", "1"), PluginFlags.NONE, List.of());
        assertDecision(s, "modify-env", true, "env:STASIS_PLUGIN_MODIFY_ENV");
        s = resolve(List.of(), Map.of("DMTCP_MODIFY_ENV_PLUGIN", "yes"), PluginFlags.NONE, List.of());
        assertDecision(s, "modify-env", true, "env:DMTCP_MODIFY_ENV_PLUGIN");
    }

    @Test
    void unrelatedAndEmptyVariablesAreIgnored() {
        EnabledSet s = resolve(List.of(), Map.of("DMTCP_PLUGIN", "a:b", "STASIS_PLUGIN_", "1",
                "STASIS_PLUGIN_PTRACE", "", "PATH", "/bin"), PluginFlags.NONE, List.of());
        assertDecision(s, "ptrace", false, "default");
    }

    @Test
    void badVariableValueIsAUsageErrorNamingTheVariable() {
        CliException e = fails(() -> resolve(List.of(), Map.of("STASIS_PLUGIN_PTRACE", "maybe"), PluginFlags.NONE,
                List.of()));
        assertEquals("invalid value 'maybe' in environment variable STASIS_PLUGIN_PTRACE: 0 or 1", e.getMessage());
        assertEquals(2, e.exitCode());
    }

    @Test
    void unknownPluginInEnvironmentNamesTheVariable() {
        CliException e = fails(() -> resolve(List.of(), Map.of("DMTCP_IB_PLUGIN", "1"), PluginFlags.NONE,
                List.of()));
        assertEquals("plugin ib is not installed (requested by environment variable DMTCP_IB_PLUGIN)",
                e.getMessage());
    }

    @Test
    void theLaunchsBundleListIsNoPluginSwitch() {
        EnabledSet s = resolve(List.of(), Map.of("STASIS_PLUGIN_BUNDLES", "/p/a.jar:/p/b"), PluginFlags.NONE,
                List.of());
        assertEquals(List.of(FILES, SLURM), s.enabled());
    }

    @Test
    void dmtcpCoreNamesTurnedOffAreAcceptedForOldJobScripts() {
        EnabledSet s = resolve(List.of(), Map.of("DMTCP_ALLOC_PLUGIN", "0", "DMTCP_DL_PLUGIN", "0"),
                flags(new PluginFlags.Setting("--disable-dl-plugin", "dl", false)), List.of());
        assertEquals(4, s.decisions().size());
        s = resolve(List.of(), Map.of("DMTCP_ALLOC_PLUGIN", "1"), PluginFlags.NONE, List.of());
        assertEquals(4, s.decisions().size());
    }

    @Test
    void flagsOverrideEnvironment() {
        EnabledSet s = resolve(List.of(), Map.of("STASIS_PLUGIN_PTRACE", "0"),
                flags(new PluginFlags.Setting("--ptrace", "ptrace", true)), List.of());
        assertDecision(s, "ptrace", true, "flag:--ptrace");
    }

    @Test
    void disableAllTurnsEverythingOffBeforeOtherFlags() {
        EnabledSet s = EnabledSet.resolve(ALL, List.of(), Map.of("STASIS_PLUGIN_SLURM", "1"),
                new PluginFlags(true, List.of(new PluginFlags.Setting("--ptrace", "ptrace", true))), List.of());
        assertDecision(s, "ptrace", true, "flag:--ptrace");
        assertDecision(s, "slurm", false, "flag:--disable-all-plugins");
        assertDecision(s, "files", false, "flag:--disable-all-plugins");
    }

    /** DMTCP job scripts pass --rm, --ib...: without that plugin they still run, with a note. */
    @Test
    void flagForAnAbsentPluginIsANoteNamingTheFlag() {
        EnabledSet s = resolve(List.of(), Map.of(), flags(new PluginFlags.Setting("--ib", "infiniband", true)),
                List.of());
        assertEquals(List.of("plugin infiniband is not installed; --ib has no effect and the program runs without it"),
                s.notes());
        assertNull(s.decision("infiniband"));
    }

    @Test
    void disablingAnAbsentPluginNeedsNoNote() {
        EnabledSet s = resolve(List.of(), Map.of(), flags(new PluginFlags.Setting("--disable-foo-plugin", "foo", false)),
                List.of());
        assertEquals(List.of(), s.notes());
    }

    @Test
    void withPluginIsTheLastWord() {
        EnabledSet s = EnabledSet.resolve(ALL, List.of(conf("s.conf", "plugin.modify-env = off")),
                Map.of("STASIS_PLUGIN_MODIFY_ENV", "0"), new PluginFlags(true, List.of()), List.of("modify-env"));
        assertDecision(s, "modify-env", true, "with-plugin");
        assertEquals(List.of(MODIFY_ENV), s.enabled());
    }

    @Test
    void unknownWithPluginNameIsNamed() {
        CliException e = fails(() -> resolve(List.of(), Map.of(), PluginFlags.NONE, List.of("nosuch")));
        assertEquals("plugin nosuch is not installed (requested by --with-plugin)", e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void launchOptionsMapToFlags() {
        LaunchOptions o = LaunchOptionsTest.parse(Env.of(), "--ptrace", "--rm", "--modify-env", "--disable-all-plugins",
                "--disable-alloc-plugin", "prog");
        PluginFlags f = PluginFlags.of(o);
        assertTrue(f.disableAll() && f.any());
        assertEquals(List.of(new PluginFlags.Setting("--batch-queue", "slurm", true),
                new PluginFlags.Setting("--ptrace", "ptrace", true),
                new PluginFlags.Setting("--modify-env", "modify-env", true),
                new PluginFlags.Setting("--disable-alloc-plugin", "alloc", false)), f.settings());
        assertFalse(PluginFlags.of(LaunchOptionsTest.parse(Env.of(), "prog")).any());
    }

    @Test
    void dmtcpsNameForAPluginReachesItThroughFlagsVariablesAndSiteFiles() {
        PluginDescriptor sockets = new PluginDescriptor("sockets", "1.0.0", true, List.of("socket"));
        List<PluginDescriptor> installed = List.of(FILES, sockets);
        EnabledSet byFlag = EnabledSet.resolve(installed, List.of(), Map.of(),
                new PluginFlags(false, List.of(new PluginFlags.Setting("--disable-socket-plugin", "socket", false))),
                List.of());
        assertDecision(byFlag, "sockets", false, "flag:--disable-socket-plugin");
        EnabledSet byDmtcpVar = EnabledSet.resolve(installed, List.of(), Map.of("DMTCP_SOCKET_PLUGIN", "0"),
                PluginFlags.NONE, List.of());
        assertDecision(byDmtcpVar, "sockets", false, "env:DMTCP_SOCKET_PLUGIN");
        EnabledSet ours = EnabledSet.resolve(installed, List.of(), Map.of("DMTCP_SOCKET_PLUGIN", "0",
                "STASIS_PLUGIN_SOCKETS", "1"), PluginFlags.NONE, List.of());
        assertDecision(ours, "sockets", true, "env:STASIS_PLUGIN_SOCKETS");
        EnabledSet bySite = EnabledSet.resolve(installed, List.of(conf("s.conf", "plugin.socket = off")), Map.of(),
                PluginFlags.NONE, List.of());
        assertDecision(bySite, "sockets", false, "site:s.conf");
        assertEquals(List.of("files"), bySite.enabled().stream().map(PluginDescriptor::name).toList());
    }
}
