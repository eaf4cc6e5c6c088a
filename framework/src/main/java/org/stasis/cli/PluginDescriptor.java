package org.stasis.cli;

/**
 * An installed plugin as the enabled-set resolution sees it.
 *
 * @param name the plugin name ({@code Stasis-Plugin-Name})
 * @param version the bundle version
 * @param defaultEnabled {@code Stasis-Default-Enabled}: on when nothing else decides
 */
public record PluginDescriptor(String name, String version, boolean defaultEnabled) {}
