package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stasis.sdk.StasisPlugin;

class PluginHostTest {

    @TempDir
    Path dir;

    private PluginHost host() {
        return PluginHost.start(dir.resolve("tmp"));
    }

    private static String onlyProblem(PluginHost h) {
        assertEquals(1, h.problems().size(), h.problems().toString());
        return h.problems().get(0).message();
    }

    @Test
    void loadsJarAndFolderAndStartsOnlyWhatIsAsked() throws IOException {
        Path a = TestBundles.jar(dir.resolve("alpha.jar"), TestBundles.plugin("alpha", "1.0", true));
        Path b = TestBundles.folder(dir.resolve("beta"), TestBundles.plugin("beta", "1", false));
        try (PluginHost h = host()) {
            List<InstalledPlugin> got = h.install(List.of(a, b), PluginHost.ORIGIN_INSTALLATION);
            assertEquals(List.of("alpha", "beta"), got.stream().map(InstalledPlugin::name).toList());
            assertEquals(new PluginDescriptor("alpha", "1.2.3", true), got.get(0).descriptor());
            assertEquals(b, got.get(1).file());
            assertTrue(h.problems().isEmpty(), h.problems().toString());

            assertEquals(List.of("beta"), h.startPlugins(List.of("beta")).stream().map(InstalledPlugin::name).toList());
            Map<String, StasisPlugin> services = h.services();
            assertEquals(List.of("beta"), List.copyOf(services.keySet()));
            assertEquals("beta", services.get("beta").info().name());
            assertEquals(java.util.Set.of("beta"), h.active());
        }
    }

    @Test
    void cacheIsRemovedOnClose() throws IOException {
        try (PluginHost h = host()) {
            assertEquals(1, countEntries(dir.resolve("tmp")));
        }
        assertEquals(0, countEntries(dir.resolve("tmp")));
    }

    private static long countEntries(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void missingFileIsNamed() {
        Path missing = dir.resolve("gone.jar");
        try (PluginHost h = host()) {
            assertTrue(h.install(List.of(missing), PluginHost.ORIGIN_WITH_PLUGIN).isEmpty());
            assertEquals(missing + ": no such file or directory", onlyProblem(h));
        }
    }

    @Test
    void jarWithoutBundleHeadersIsNotABundle() throws IOException {
        Path plain = TestBundles.jar(dir.resolve("plain.jar"), Map.of("Main-Class", "x.Y"));
        Path noManifest = TestBundles.jar(dir.resolve("bare.jar"), null);
        Path notAJar = Files.writeString(dir.resolve("libfoo.so"), "\177ELF");
        try (PluginHost h = host()) {
            h.install(List.of(plain, noManifest, notAJar), PluginHost.ORIGIN_WITH_PLUGIN);
            List<String> m = h.problems().stream().map(PluginProblem::message).toList();
            assertEquals(plain + ": not an OSGi bundle (no Bundle-SymbolicName in its manifest)", m.get(0));
            assertEquals(noManifest + ": not an OSGi bundle (no Bundle-SymbolicName in its manifest)", m.get(1));
            assertTrue(m.get(2).startsWith(notAJar + ": not an OSGi bundle (cannot read it as a jar file"), m.get(2));
        }
    }

    @Test
    void bundleThatIsNotAPluginIsRefused() throws IOException {
        Map<String, String> h0 = new java.util.LinkedHashMap<>(TestBundles.plugin("x", "1.0", false));
        h0.remove("Stasis-Plugin-Name");
        Path f = TestBundles.jar(dir.resolve("lib.jar"), h0);
        try (PluginHost h = host()) {
            h.install(List.of(f), PluginHost.ORIGIN_INSTALLATION);
            assertEquals(f + ": bundle test.x is not a Stasis plugin (no Stasis-Plugin-Name header)", onlyProblem(h));
        }
    }

    @Test
    void unresolvedBundleNamesTheMissingPackageAndOthersStillLoad() throws IOException {
        Map<String, String> bad = new java.util.LinkedHashMap<>(TestBundles.plugin("needy", "1.0", true));
        bad.put("Import-Package", bad.get("Import-Package") + ",com.example.missing;version=\"[2,3)\"");
        Path f = TestBundles.jar(dir.resolve("needy.jar"), bad);
        Path good = TestBundles.jar(dir.resolve("good.jar"), TestBundles.plugin("good", "1.0", true));
        try (PluginHost h = host()) {
            List<InstalledPlugin> got = h.install(List.of(f, good), PluginHost.ORIGIN_INSTALLATION);
            assertEquals(List.of("good"), got.stream().map(InstalledPlugin::name).toList());
            assertEquals(f + ": bundle test.needy does not resolve: it imports package com.example.missing, which"
                    + " neither Stasis nor another plugin exports", onlyProblem(h));
        }
    }

    @Test
    void newerSdkIsRefusedWithBothVersions() throws IOException {
        Path f = TestBundles.jar(dir.resolve("future.jar"), TestBundles.plugin("future", "1.7", true));
        Path g = TestBundles.jar(dir.resolve("old.jar"), TestBundles.plugin("old", "0.9", true));
        try (PluginHost h = host()) {
            assertTrue(h.install(List.of(f, g), PluginHost.ORIGIN_INSTALLATION).isEmpty());
            List<String> m = h.problems().stream().map(PluginProblem::message).toList();
            assertTrue(m.get(0).startsWith(f + ": plugin future built against SDK 1.7, newer than this Stasis's SDK 1.0"),
                    m.get(0));
            assertTrue(m.get(1).startsWith(g + ": plugin old built against SDK 0.9, which is incompatible"), m.get(1));
        }
    }

    @Test
    void duplicatePluginNameNamesBothFiles() throws IOException {
        Path a = TestBundles.jar(dir.resolve("a.jar"), TestBundles.plugin("same", "1.0", true));
        Map<String, String> other = new java.util.LinkedHashMap<>(TestBundles.plugin("same", "1.0", true));
        other.put("Bundle-SymbolicName", "other.same");
        Path b = TestBundles.jar(dir.resolve("b.jar"), other);
        try (PluginHost h = host()) {
            assertEquals(1, h.install(List.of(a, b), PluginHost.ORIGIN_INSTALLATION).size());
            assertEquals(b + ": another plugin named same is already loaded from " + a, onlyProblem(h));
        }
    }

    @Test
    void failingActivatorIsAProblemNotACrash() throws IOException {
        Path f = TestBundles.jar(dir.resolve("explodes.jar"), TestBundles.plugin("explodes", "1.0", true));
        try (PluginHost h = host()) {
            h.install(List.of(f), PluginHost.ORIGIN_INSTALLATION);
            assertTrue(h.startPlugins(List.of("explodes")).isEmpty());
            String m = onlyProblem(h);
            assertTrue(m.startsWith(f + ": plugin explodes failed to start: "), m);
            assertTrue(m.contains("the test plugin refuses to start"), m);
            assertFalse(h.active().contains("explodes"));
        }
    }

    @Test
    void installationBundlesAreJarsAndFoldersSorted() throws IOException {
        Path b = Files.createDirectories(dir.resolve("bundles"));
        Files.writeString(b.resolve("README"), "x");
        Files.writeString(b.resolve("z.jar"), "x");
        Files.createDirectories(b.resolve("a-folder"));
        assertEquals(List.of(b.resolve("a-folder"), b.resolve("z.jar")), PluginCatalog.installationBundles(b));
        assertTrue(PluginCatalog.installationBundles(dir.resolve("none")).isEmpty());
    }
}
