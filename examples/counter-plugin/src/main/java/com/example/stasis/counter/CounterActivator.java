package com.example.stasis.counter;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.StasisPlugin;

/** Registers the plugin's Java half when Stasis starts the bundle (only if the plugin is enabled). */
public final class CounterActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        context.registerService(StasisPlugin.class, new CounterPlugin(context.getBundle().getVersion().toString()),
                null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }
}
