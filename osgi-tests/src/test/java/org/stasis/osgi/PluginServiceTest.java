package org.stasis.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
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
import org.osgi.framework.ServiceReference;
import org.stasis.sdk.SdkVersion;
import org.stasis.sdk.StasisPlugin;

/**
 * The SDK bundle and a plugin bundle in a real OSGi framework: the plugin imports
 * {@code org.stasis.sdk} from the SDK bundle and its service registers under {@link StasisPlugin}.
 * Bundles come from the reactor by reference, so nothing has to be installed first.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PluginServiceTest {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        Path sdk = Paths.get(System.getProperty("stasis.sdk.bundle"));
        return options(
                bundle("reference:" + sdk.toUri()),
                bundle("reference:" + samplePluginJar().toUri()),
                junitBundles(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
    }

    /** A one-class plugin bundle, built from this module's test classes. */
    private static Path samplePluginJar() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Bundle-ManifestVersion", "2");
        h.put("Bundle-SymbolicName", "org.stasis.osgi.sample");
        h.put("Bundle-Version", "0.9.0");
        h.put("Bundle-Activator", "org.stasis.osgi.sample.SampleActivator");
        h.put("Import-Package", "org.osgi.framework,org.stasis.sdk;version=\"[1.0,2)\"");
        h.put("Stasis-Plugin-Name", "sample");
        h.put("Stasis-Sdk-Version", "1.0");
        return BundleJar.write(Paths.get(System.getProperty("stasis.test.tmp")).resolve("sample-plugin.jar"), h,
                "org.stasis.osgi.sample");
    }

    @Test
    public void sdkBundleExportsTheSdkVersion() {
        Bundle sdk = bundleNamed("org.stasis.sdk");
        assertEquals(Bundle.ACTIVE, sdk.getState());
        String export = sdk.getHeaders().get("Export-Package");
        assertEquals("org.stasis.sdk;version=\"" + SdkVersion.CURRENT + ".0\"", export);
    }

    @Test
    public void pluginServiceRegisters() {
        ServiceReference<StasisPlugin> ref = context.getServiceReference(StasisPlugin.class);
        assertNotNull("the sample plugin's StasisPlugin service", ref);
        assertEquals("org.stasis.osgi.sample", ref.getBundle().getSymbolicName());
        StasisPlugin p = context.getService(ref);
        assertEquals("sample", p.info().name());
        assertEquals("0.9.0", p.info().version());
        assertEquals("--sample-level", p.options().get(0).name());
        assertEquals("1", p.restartScriptEnvironment().get("SAMPLE_LEVEL"));
        context.ungetService(ref);
    }

    private Bundle bundleNamed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
