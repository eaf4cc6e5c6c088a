package org.stasis.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.stasis.cli.Env;
import org.stasis.cli.PluginFlags;
import org.stasis.osgi.bundles.broken.BrokenPlugin;
import org.stasis.sdk.SdkVersion;

/**
 * A broken bundle in the installation's bundles/ gives one clear message that starts with its
 * file, and the other plugins still start (their services are registered in the framework's
 * Felix) and are still listed by {@code stasis plugins}. Plain JUnit 5 against the framework's
 * own plugin host, for the reasons given in {@link EnablingLayersTest}: the messages are the
 * host's, and Pax Exam would refuse to provision most of these bundles at all.
 */
class BrokenBundlesTest {

    /** The kinds of broken bundle, how to add one, and the message expected for its file. */
    enum Broken {
        NOT_A_BUNDLE(TestInstallation::addJarThatIsNotABundle,
                (i, f) -> f + ": not an OSGi bundle (no Bundle-SymbolicName in its manifest)"),
        UNRESOLVED_IMPORT(TestInstallation::addBundleWithUnresolvedImport,
                (i, f) -> f + ": bundle org.example.needy does not resolve: it imports package com.example.missing,"
                        + " which neither Stasis nor another plugin exports"),
        BUILT_FOR_SDK_2(TestInstallation::addBundleForSdk2,
                (i, f) -> f + ": plugin future built against SDK 2.0, which is incompatible with this Stasis's SDK "
                        + SdkVersion.CURRENT + " (the major versions differ)"),
        DUPLICATE_NAME(TestInstallation::addSecondPtrace,
                (i, f) -> f + ": another plugin named ptrace is already loaded from " + i.bundle("ptrace")),
        ACTIVATOR_THROWS(TestInstallation::addBundleWhoseActivatorThrows,
                (i, f) -> f + ": plugin refuser failed to start: " + BrokenPlugin.FAILURE);

        private final Function<TestInstallation, Path> add;
        private final BiFunction<TestInstallation, Path, String> message;

        Broken(Function<TestInstallation, Path> add, BiFunction<TestInstallation, Path, String> message) {
            this.add = add;
            this.message = message;
        }

        /** Adds the bundle to the installation; returns the expected message. */
        String addTo(TestInstallation installation) {
            return message.apply(installation, add.apply(installation));
        }
    }

    @TempDir
    Path dir;
    TestInstallation installation;
    Path work;

    @BeforeEach
    void install() {
        installation = TestInstallation.create(dir.resolve("stasis"));
        work = dir.resolve("work");
    }

    @ParameterizedTest
    @EnumSource(Broken.class)
    void brokenBundleIsNamedAndTheOthersStillStart(Broken kind) {
        String expected = kind.addTo(installation);
        LaunchedPlugins launched = LaunchedPlugins.load(installation, work, Env.of(), PluginFlags.NONE);
        assertEquals(List.of(expected), launched.problems());
        assertEquals(List.of("files", "modify-env", "ptrace"), launched.services());
    }

    @Test
    void withAllOfThemTheOthersStillStartAndAreListed() {
        Map<Broken, String> expected = new EnumMap<>(Broken.class);
        for (Broken kind : Broken.values()) {
            expected.put(kind, kind.addTo(installation));
        }

        LaunchedPlugins launched = LaunchedPlugins.load(installation, work, Env.of(), PluginFlags.NONE);
        assertEquals(List.of("files", "modify-env", "ptrace"), launched.services());
        assertEquals(sorted(expected.values()), sorted(launched.problems()));

        // Listing loads the bundles but starts none, so a failing activator only shows at launch;
        // until then its bundle is listed like the good ones.
        PluginsReport listed = StasisCli.plugins(installation.home(), work, Map.of());
        expected.remove(Broken.ACTIVATOR_THROWS);
        assertEquals(sorted(expected.values()), sorted(listed.problemMessages()), listed.json());
        for (PluginsReport.Problem p : listed.problems()) {
            assertTrue(p.message().startsWith(p.file() + ": "), p.message());
        }
        assertEquals(List.of("native-mtcp", "files", "modify-env", "ptrace", "refuser"), listed.names());
        assertTrue(listed.plugins().stream().skip(1).allMatch(PluginsReport.Plugin::enabled), listed.json());
    }

    private static List<String> sorted(Collection<String> c) {
        return c.stream().sorted().toList();
    }
}
