package org.stasis.cli;

/**
 * Whether a plugin is enabled, and which configuration layer decided it.
 *
 * @param plugin the plugin
 * @param enabled whether it is enabled
 * @param layer {@code default}, {@code site:<file>}, {@code env:<VAR>}, {@code flag:<flag>} or
 *        {@code with-plugin}
 */
public record PluginDecision(PluginDescriptor plugin, boolean enabled, String layer) {

    public String name() {
        return plugin.name();
    }
}
