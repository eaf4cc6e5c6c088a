package org.stasis.cli;

/**
 * A plugin a launch option needs.
 *
 * @param name the plugin (bundle) name, or the path given to --with-plugin
 * @param reason the option that asked for it
 */
public record PluginRequest(String name, String reason) {}
