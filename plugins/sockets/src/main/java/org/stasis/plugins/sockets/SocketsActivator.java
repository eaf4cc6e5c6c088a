package org.stasis.plugins.sockets;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.StasisPlugin;

/** Registers the sockets plugin's Java half when the plugin is enabled. */
public final class SocketsActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        context.registerService(StasisPlugin.class, new SocketsPlugin(context.getBundle().getVersion().toString()), null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
