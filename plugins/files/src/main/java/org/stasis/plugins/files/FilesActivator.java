package org.stasis.plugins.files;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.StasisPlugin;

/** Registers the files plugin's Java half when the plugin is enabled. */
public final class FilesActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        context.registerService(StasisPlugin.class, new FilesPlugin(context.getBundle().getVersion().toString()), null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
