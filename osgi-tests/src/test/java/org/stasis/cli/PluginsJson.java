package org.stasis.cli;

import java.nio.file.Path;

/**
 * The text {@code stasis plugins --json} prints for a plugin setup, for the acceptance tests in
 * org.stasis.osgi. PluginsCommand's rendering is package-private, and the command itself cannot
 * be asked about launch flags (it takes none), so the flag layer is rendered through here.
 */
public final class PluginsJson {

    private PluginsJson() {}

    public static String of(PluginSetup setup, Path home) {
        return Json.write(PluginsCommand.toJson(setup, PluginsCommand.builtinStatus(home)));
    }
}
