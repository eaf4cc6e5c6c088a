package org.stasis.cli;

import java.util.List;

/**
 * An installed plugin as the enabled-set resolution sees it.
 *
 * @param name the plugin name ({@code Stasis-Plugin-Name})
 * @param version the bundle version
 * @param defaultEnabled {@code Stasis-Default-Enabled}: on when nothing else decides
 * @param aliases other names it answers to in flags, variables and site files
 *     ({@code Stasis-Plugin-Aliases}): DMTCP's name for the same plugin, so that a job script's
 *     {@code --disable-socket-plugin} or {@code DMTCP_SOCKET_PLUGIN=0} reaches the sockets plugin
 */
public record PluginDescriptor(String name, String version, boolean defaultEnabled, List<String> aliases) {

    public PluginDescriptor {
        aliases = List.copyOf(aliases);
    }

    public PluginDescriptor(String name, String version, boolean defaultEnabled) {
        this(name, version, defaultEnabled, List.of());
    }
}
