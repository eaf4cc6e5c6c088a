package org.stasis.cli;

import java.nio.file.Path;
import java.util.List;
import org.stasis.sdk.SdkVersion;

/**
 * A plugin bundle that was installed into the plugin host and resolved.
 *
 * @param descriptor name, version, default state
 * @param symbolicName {@code Bundle-SymbolicName}
 * @param sdk {@code Stasis-Sdk-Version}
 * @param file the jar file or folder it came from
 * @param origin {@code bundles/} or {@code --with-plugin}
 * @param nativeCode the shared objects of its native half, paths inside the bundle (see
 *     {@link NativeCode}); empty for a plugin with only a Java half
 */
public record InstalledPlugin(PluginDescriptor descriptor, String symbolicName, SdkVersion sdk, Path file,
        String origin, List<String> nativeCode) {

    public InstalledPlugin {
        nativeCode = List.copyOf(nativeCode);
    }

    public String name() {
        return descriptor.name();
    }
}
