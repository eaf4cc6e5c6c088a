package org.stasis.testplugin;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.StasisPlugin;

/** Packed into throw-away bundles by the tests; registers a plugin named after its bundle header. */
public class TestActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        String name = context.getBundle().getHeaders().get("Stasis-Plugin-Name");
        if ("explodes".equals(name)) {
            throw new IllegalStateException("the test plugin refuses to start");
        }
        StasisPlugin p = () -> new PluginInfo(name, context.getBundle().getVersion().toString(), "test plugin");
        context.registerService(StasisPlugin.class, p, null);
    }

    @Override
    public void stop(BundleContext context) {}
}
