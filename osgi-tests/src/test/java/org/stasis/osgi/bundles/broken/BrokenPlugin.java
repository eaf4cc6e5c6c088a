package org.stasis.osgi.bundles.broken;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The classes of every broken sample bundle. Bundles that are refused or do not resolve must never
 * get this far; the one whose activator is meant to fail fails here, with a message the plugin
 * host has to pass on.
 */
public final class BrokenPlugin implements BundleActivator {

    public static final String FAILURE = "the broken sample plugin refuses to start";

    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException(FAILURE);
    }

    @Override
    public void stop(BundleContext context) {}
}
