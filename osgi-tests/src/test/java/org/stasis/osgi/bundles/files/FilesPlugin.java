package org.stasis.osgi.bundles.files;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.StasisPlugin;

/**
 * The Java half of the sample "files" plugin bundle of the test installation. The name is written
 * here rather than read from the bundle's header, so that a test comparing the service's name
 * with the jar's Stasis-Plugin-Name catches a bundle wired to the wrong classes.
 */
public final class FilesPlugin implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        String version = context.getBundle().getVersion().toString();
        StasisPlugin plugin = () -> new PluginInfo("files", version, "sample: checkpoints open files");
        context.registerService(StasisPlugin.class, plugin, null);
    }

    @Override
    public void stop(BundleContext context) {}
}
