package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginSetupTest {

    @TempDir
    Path dir;
    Path home;
    Path tmp;

    @BeforeEach
    void installation() throws IOException {
        home = Files.createDirectories(dir.resolve("stasis"));
        Files.createDirectories(home.resolve("bundles"));
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("bundles/README"), "not a bundle");
        tmp = dir.resolve("tmp");
    }

    @Test
    void noBundlesMeansNoFramework() {
        try (PluginSetup s = PluginSetup.load(home, Env.of(), dir, tmp, PluginFlags.NONE, List.of(), true)) {
            assertNull(s.host());
            assertTrue(s.enabled().decisions().isEmpty());
            assertTrue(s.active().isEmpty());
        }
        assertTrue(Files.notExists(tmp), "no plugin cache without bundles");
    }

    @Test
    void flagForAMissingPluginIsANoteEvenWithoutBundles() {
        PluginFlags f = new PluginFlags(false, List.of(new PluginFlags.Setting("--ptrace", "ptrace", true)));
        try (PluginSetup s = PluginSetup.load(home, Env.of(), dir, tmp, f, List.of(), true)) {
            assertEquals(List.of("plugin ptrace is not installed; --ptrace has no effect and the program runs without it"),
                    s.enabled().notes());
        }
    }

    @Test
    void layersOverInstalledAndWithPluginBundles() throws IOException {
        TestBundles.jar(home.resolve("bundles/alpha-1.0.jar"), TestBundles.plugin("alpha", "1.0", true));
        TestBundles.jar(home.resolve("bundles/beta-1.0.jar"), TestBundles.plugin("beta", "1.0", false));
        Files.writeString(home.resolve("etc/stasis.conf"), "# site\nplugin.alpha = off\n");
        Path site = Files.writeString(dir.resolve("site.conf"), "plugin.beta = on\n");
        Path extra = TestBundles.folder(dir.resolve("gamma"), TestBundles.plugin("gamma", "1.0", false));
        Env env = Env.of("STASIS_CONFIG", site.toString(), "DMTCP_ALPHA_PLUGIN", "1");
        try (PluginSetup s = PluginSetup.load(home, env, dir, tmp, PluginFlags.NONE, List.of("gamma"), true)) {
            assertEquals(List.of("alpha", "beta", "gamma"), s.plugins().stream().map(InstalledPlugin::name).toList());
            assertEquals("env:DMTCP_ALPHA_PLUGIN", s.enabled().decision("alpha").layer());
            assertEquals("site:" + site, s.enabled().decision("beta").layer());
            assertEquals("with-plugin", s.enabled().decision("gamma").layer());
            assertEquals(extra, s.plugins().get(2).file());
            assertEquals(java.util.Set.of("alpha", "beta", "gamma"), s.active());

            String table = PluginsCommand.table(s, "yes");
            assertTrue(table.contains("beta"), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("gamma") && l.contains("with-plugin")
                    && l.contains(extra.toString())), table);
            String json = Json.write(PluginsCommand.toJson(s, "yes"));
            assertTrue(json.contains("{\"name\":\"alpha\",\"version\":\"1.2.3\",\"enabled\":true,"
                    + "\"decidedBy\":\"env:DMTCP_ALPHA_PLUGIN\""), json);
            assertTrue(json.endsWith("\"problems\":[]}"), json);
        }
        assertTrue(Files.exists(tmp));
        try (var l = Files.list(tmp)) {
            assertEquals(0, l.count(), "the plugin cache is removed");
        }
    }

    @Test
    void brokenInstalledBundleIsReportedAndOthersLoad() throws IOException {
        TestBundles.jar(home.resolve("bundles/alpha.jar"), TestBundles.plugin("alpha", "1.0", true));
        Path bad = TestBundles.jar(home.resolve("bundles/broken.jar"), Map.of("Main-Class", "x"));
        try (PluginSetup s = PluginSetup.load(home, Env.of(), dir, tmp, PluginFlags.NONE, List.of(), false)) {
            assertEquals(List.of("alpha"), s.plugins().stream().map(InstalledPlugin::name).toList());
            assertEquals(1, s.problems().size());
            assertEquals(bad, s.problems().get(0).file());
            assertTrue(s.active().isEmpty(), "listing starts nothing");
            String table = PluginsCommand.table(s, "yes");
            assertTrue(table.contains("Not loaded:\n  " + bad + ": not an OSGi bundle"), table);
        }
    }

    @Test
    void brokenWithPluginBundleIsAnError() {
        CliException e = assertThrows(CliException.class, () -> PluginSetup.load(home, Env.of(), dir, tmp,
                PluginFlags.NONE, List.of("missing/plugin.jar"), true));
        assertEquals(dir.resolve("missing/plugin.jar") + ": no such file or directory (requested by --with-plugin)",
                e.getMessage());
    }

    @Test
    void withPluginEntriesArePathsOrNames() throws IOException {
        Files.createDirectories(dir.resolve("folder"));
        PluginSetup.WithPlugins w = PluginSetup.WithPlugins.classify(
                List.of("ptrace", "x.jar", "/abs/lib.so", "folder", "sub/dir"), dir);
        assertEquals(List.of("ptrace"), w.names());
        assertEquals(List.of(dir.resolve("x.jar"), Path.of("/abs/lib.so"), dir.resolve("folder"),
                dir.resolve("sub/dir")), w.paths());
    }

    @Test
    void missingStasisConfigFileIsNamed() {
        CliException e = assertThrows(CliException.class, () -> PluginSetup.load(home,
                Env.of("STASIS_CONFIG", "/no/such/site.conf"), dir, tmp, PluginFlags.NONE, List.of(), false));
        assertEquals("cannot read the file named by STASIS_CONFIG /no/such/site.conf: no such file", e.getMessage());
    }
}
