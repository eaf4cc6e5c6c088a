package org.stasis.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
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
import org.stasis.sdk.StasisPlugin;

/**
 * Felix with the SDK and the plugin bundles the installation ships (plugins/, built in this
 * reactor, the same jars distribution/ copies into bundles/): each resolves (its
 * Bundle-NativeCode clause included), is active and registers the StasisPlugin service its
 * manifest names. {@link InstallationBundlesTest} does the same for a test installation whose
 * plugins the enabling-layer tests switch on and off.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShippedBundlesTest {

    private static final String SHIPPED = "stasis.shipped.bundles";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>();
        options.add(bundle("reference:" + Paths.get(System.getProperty("stasis.sdk.bundle")).toUri()));
        for (Path jar : shipped()) {
            options.add(bundle("reference:" + jar.toUri()));
        }
        options.add(junitBundles());
        options.add(systemProperty(SHIPPED).value(System.getProperty(SHIPPED)));
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        return options(options.toArray(Option[]::new));
    }

    @Test
    public void everyShippedPluginIsActiveAndRegistersItsNamedService() throws InvalidSyntaxException {
        List<Path> jars = shipped();
        assertTrue("no shipped plugin bundles given in " + SHIPPED, !jars.isEmpty());
        for (Path jar : jars) {
            Attributes manifest = manifest(jar);
            Bundle b = null;
            for (Bundle x : context.getBundles()) {
                if (("reference:" + jar.toUri()).equals(x.getLocation())) {
                    b = x;
                }
            }
            assertTrue("not installed: " + jar, b != null);
            assertEquals(jar + " is active", Bundle.ACTIVE, b.getState());
            assertTrue(jar + " declares a native half", manifest.getValue("Bundle-NativeCode") != null);
            List<ServiceReference<StasisPlugin>> refs = new ArrayList<>();
            for (ServiceReference<StasisPlugin> r : context.getServiceReferences(StasisPlugin.class, null)) {
                if (r.getBundle().getBundleId() == b.getBundleId()) {
                    refs.add(r);
                }
            }
            assertEquals(jar + " registers one StasisPlugin service", 1, refs.size());
            StasisPlugin plugin = context.getService(refs.get(0));
            try {
                assertEquals(manifest.getValue("Stasis-Plugin-Name"), plugin.info().name());
            } finally {
                context.ungetService(refs.get(0));
            }
        }
    }

    private static List<Path> shipped() {
        String list = System.getProperty(SHIPPED, "");
        return Arrays.stream(list.split(":")).filter(s -> !s.isBlank()).map(Paths::get).toList();
    }

    private static Attributes manifest(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getManifest().getMainAttributes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
