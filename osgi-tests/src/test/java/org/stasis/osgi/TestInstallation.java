package org.stasis.osgi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.stasis.osgi.bundles.broken.BrokenPlugin;
import org.stasis.osgi.bundles.files.FilesPlugin;
import org.stasis.osgi.bundles.modifyenv.ModifyEnvPlugin;
import org.stasis.osgi.bundles.ptrace.PtracePlugin;

/**
 * A Stasis installation laid out as distribution/ builds it ({@code bundles/} and
 * {@code etc/stasis.conf}), written into a folder at test time, with three working sample plugin
 * bundles and, on demand, broken ones. {@code bin/} and {@code lib/} are left out: the tests run
 * the front end from the reactor's classes (see {@link StasisCli}).
 *
 * <p>The samples carry DMTCP's plugin names, so that DMTCP's variables and flags
 * ({@code DMTCP_PTRACE_PLUGIN}, {@code --ptrace}) reach them as they would reach the real
 * plugins; {@code modify-env} has a dash, which the environment layer spells as an underscore.
 */
final class TestInstallation {

    /** The classes of every broken bundle. */
    private static final String BROKEN_PACKAGE = BrokenPlugin.class.getPackageName();

    /**
     * A sample plugin bundle.
     *
     * @param name its {@code Stasis-Plugin-Name}, also its file name ({@code bundles/<name>.jar})
     * @param version its {@code Bundle-Version}
     * @param activator its activator; the bundle holds that class's package, whose name is also
     *        the bundle's symbolic name (one package per plugin, as real plugins have)
     */
    record Sample(String name, String version, Class<? extends BundleActivator> activator) {

        String symbolicName() {
            return activator.getPackageName();
        }
    }

    /** The working plugins, in the order Stasis lists them (bundles/ sorted by file name). */
    static final List<Sample> SAMPLES = List.of(
            new Sample("files", "1.0.0", FilesPlugin.class),
            new Sample("modify-env", "1.1.0", ModifyEnvPlugin.class),
            new Sample("ptrace", "2.3.0", PtracePlugin.class));

    static final String SITE_CONFIG_HEADER = "# Stasis site configuration of a test installation.\n"
            + "# Lines are 'plugin.<name> = on|off'.\n";

    private final Path home;

    private TestInstallation(Path home) {
        this.home = home;
    }

    /** Writes the installation into {@code home}, which should be empty or absent. */
    static TestInstallation create(Path home) {
        TestInstallation t = new TestInstallation(home.toAbsolutePath().normalize());
        for (Sample s : SAMPLES) {
            BundleJar.write(t.bundle(s.name()), pluginHeaders(s.name(), s.symbolicName(), s.version(),
                    s.activator().getName()), s.symbolicName());
        }
        t.configure();
        return t;
    }

    Path home() {
        return home;
    }

    Path bundles() {
        return home.resolve("bundles");
    }

    /** The jar of a plugin of this installation. */
    Path bundle(String name) {
        return bundles().resolve(name + ".jar");
    }

    /** {@code etc/stasis.conf}. */
    Path siteConfig() {
        return home.resolve("etc").resolve("stasis.conf");
    }

    /** Rewrites {@code etc/stasis.conf}: its comment header and these lines. */
    void configure(String... lines) {
        writeText(siteConfig(), SITE_CONFIG_HEADER + String.join("\n", lines) + "\n");
    }

    /** The headers of a good plugin bundle, as maven-bundle-plugin would write them for one. */
    static Map<String, String> pluginHeaders(String name, String symbolicName, String version, String activator) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Bundle-ManifestVersion", "2");
        h.put("Bundle-SymbolicName", symbolicName);
        h.put("Bundle-Version", version);
        h.put("Bundle-Activator", activator);
        h.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",org.stasis.sdk;version=\"[1.0,2)\"");
        h.put("Stasis-Plugin-Name", name);
        h.put("Stasis-Sdk-Version", "1.0");
        h.put("Stasis-Default-Enabled", "true");
        return h;
    }

    // Broken bundles; each method returns the file it wrote.

    /** A jar with a manifest but no bundle headers: a library dropped into bundles/ by mistake. */
    Path addJarThatIsNotABundle() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Main-Class", "org.example.Tool");
        return BundleJar.write(bundles().resolve("not-a-bundle.jar"), h, null);
    }

    /** Plugin {@code needy}, which imports a package nothing exports. */
    Path addBundleWithUnresolvedImport() {
        Map<String, String> h = pluginHeaders("needy", "org.example.needy", "1.0.0", BrokenPlugin.class.getName());
        h.put("Import-Package", h.get("Import-Package") + ",com.example.missing;version=\"[2,3)\"");
        return BundleJar.write(bundles().resolve("needy.jar"), h, BROKEN_PACKAGE);
    }

    /** Plugin {@code future}, built against SDK 2.0 (and importing the SDK package at 2.x). */
    Path addBundleForSdk2() {
        Map<String, String> h = pluginHeaders("future", "org.example.future", "1.0.0", BrokenPlugin.class.getName());
        h.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",org.stasis.sdk;version=\"[2.0,3)\"");
        h.put("Stasis-Sdk-Version", "2.0");
        return BundleJar.write(bundles().resolve("future-sdk2.jar"), h, BROKEN_PACKAGE);
    }

    /**
     * A second bundle (another symbolic name and version) that also calls itself {@code ptrace}.
     * Its file sorts after {@code ptrace.jar}, so that one loads first and this is the duplicate.
     */
    Path addSecondPtrace() {
        return BundleJar.write(bundles().resolve("second-ptrace.jar"), pluginHeaders("ptrace",
                "org.example.ptrace", "9.0.0", PtracePlugin.class.getName()), PtracePlugin.class.getPackageName());
    }

    /** Plugin {@code refuser}, which loads but whose activator throws. */
    Path addBundleWhoseActivatorThrows() {
        return BundleJar.write(bundles().resolve("refuser.jar"), pluginHeaders("refuser", "org.example.refuser",
                "1.0.0", BrokenPlugin.class.getName()), BROKEN_PACKAGE);
    }

    static void writeText(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
