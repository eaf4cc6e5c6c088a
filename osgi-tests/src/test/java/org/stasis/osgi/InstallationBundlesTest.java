package org.stasis.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.stasis.sdk.StasisPlugin;

/**
 * Felix, booted by Pax Exam's native container with the SDK bundle and every jar of a test
 * installation's {@code bundles/} (each by reference, as Stasis installs them): each plugin
 * bundle is active, wired to the SDK bundle, and has registered one {@link StasisPlugin} service
 * whose {@code PluginInfo} carries the name and version its jar's manifest declares.
 *
 * <p>The installation is written by {@link #config()}, which runs outside the framework; the
 * tests run inside it and find the installation through a system property, reading the jars'
 * manifests themselves so that the expectation comes from the files, not from the fixture's code.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InstallationBundlesTest {

    private static final String INSTALLATION = "stasis.test.installation";

    @Inject
    private BundleContext context;

    /**
     * Pax Exam calls {@link #config()} more than once for one container (outside the framework);
     * every call must name the same installation, and jars Felix may already hold by reference
     * must not be rewritten.
     */
    private static TestInstallation installation;

    @Configuration
    public Option[] config() throws IOException {
        if (installation == null) {
            Path tmp = Files.createDirectories(Paths.get(System.getProperty("stasis.test.tmp")));
            installation = TestInstallation.create(Files.createTempDirectory(tmp, "installation-"));
        }
        List<Option> options = new ArrayList<>();
        options.add(bundle("reference:" + Paths.get(System.getProperty("stasis.sdk.bundle")).toUri()));
        for (Path jar : jars(installation.bundles())) {
            options.add(bundle("reference:" + jar.toUri()));
        }
        options.add(junitBundles());
        options.add(systemProperty(INSTALLATION).value(installation.home().toString()));
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        return options(options.toArray(Option[]::new));
    }

    @Test
    public void everyPluginBundleIsActiveAndRegistersItsNamedService() throws IOException, InvalidSyntaxException {
        List<Path> jars = jars(Paths.get(System.getProperty(INSTALLATION)).resolve("bundles"));
        List<String> names = new ArrayList<>();
        for (Path jar : jars) {
            Attributes manifest = manifest(jar);
            String name = manifest.getValue("Stasis-Plugin-Name");
            Bundle b = installedFrom(jar);
            assertEquals(jar + " is active", Bundle.ACTIVE, b.getState());

            List<ServiceReference<StasisPlugin>> refs = registeredBy(b);
            assertEquals(jar + " registers one StasisPlugin service", 1, refs.size());
            StasisPlugin plugin = context.getService(refs.get(0));
            try {
                assertEquals(name, plugin.info().name());
                assertEquals(manifest.getValue("Bundle-Version"), plugin.info().version());
            } finally {
                context.ungetService(refs.get(0));
            }
            names.add(name);
        }
        assertEquals(List.of("files", "modify-env", "ptrace"), names);
        assertEquals("no StasisPlugin service but the installation's", jars.size(), allPluginServices().size());
    }

    @Test
    public void everyPluginBundleUsesTheSdkBundle() throws IOException {
        for (Path jar : jars(Paths.get(System.getProperty(INSTALLATION)).resolve("bundles"))) {
            BundleWiring wiring = installedFrom(jar).adapt(BundleWiring.class);
            Bundle sdkProvider = null;
            for (BundleWire w : wiring.getRequiredWires("osgi.wiring.package")) {
                if ("org.stasis.sdk".equals(w.getCapability().getAttributes().get("osgi.wiring.package"))) {
                    sdkProvider = w.getProvider().getBundle();
                }
            }
            assertNotNull(jar + " imports org.stasis.sdk", sdkProvider);
            assertEquals("org.stasis.sdk", sdkProvider.getSymbolicName());
        }
    }

    /** The installation's jar files, in file-name order (the order Stasis loads them in). */
    private static List<Path> jars(Path bundles) throws IOException {
        try (Stream<Path> s = Files.list(bundles)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static Attributes manifest(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest().getMainAttributes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Bundle installedFrom(Path jar) {
        String location = "reference:" + jar.toUri();
        for (Bundle b : context.getBundles()) {
            if (location.equals(b.getLocation())) {
                return b;
            }
        }
        throw new AssertionError("no bundle installed from " + location);
    }

    private List<ServiceReference<StasisPlugin>> registeredBy(Bundle b) throws InvalidSyntaxException {
        return allPluginServices().stream().filter(r -> r.getBundle().getBundleId() == b.getBundleId()).toList();
    }

    private Collection<ServiceReference<StasisPlugin>> allPluginServices() throws InvalidSyntaxException {
        return context.getServiceReferences(StasisPlugin.class, null);
    }
}
