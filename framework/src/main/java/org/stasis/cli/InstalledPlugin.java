package org.stasis.cli;

import java.nio.file.Path;
import org.stasis.sdk.SdkVersion;

/**
 * A plugin bundle that was installed into the plugin host and resolved.
 *
 * @param descriptor name, version, default state
 * @param symbolicName {@code Bundle-SymbolicName}
 * @param sdk {@code Stasis-Sdk-Version}
 * @param file the jar file or folder it came from
 * @param origin {@code bundles/} or {@code --with-plugin}
 */
public record InstalledPlugin(PluginDescriptor descriptor, String symbolicName, SdkVersion sdk, Path file,
        String origin) {

    public String name() {
        return descriptor.name();
    }
}
