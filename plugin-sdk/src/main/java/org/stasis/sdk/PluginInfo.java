package org.stasis.sdk;

import java.util.Objects;

/**
 * Who a plugin is, as shown by {@code stasis plugins} and in error messages.
 *
 * @param name the plugin name, equal to the bundle's {@code Stasis-Plugin-Name} header
 * @param version the plugin's own version (free form, usually the bundle version)
 * @param description one line for listings; may be empty
 */
public record PluginInfo(String name, String version, String description) {

    /**
     * Checks the values; a null description becomes empty.
     *
     * @param name the plugin name
     * @param version the plugin's version
     * @param description one line, or null
     * @throws NullPointerException when {@code name} or {@code version} is null
     * @throws IllegalArgumentException when {@code name} is not {@link #isValidName valid}
     */
    public PluginInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        description = description == null ? "" : description;
        if (!PluginInfo.isValidName(name)) {
            throw new IllegalArgumentException("invalid plugin name '" + name
                    + "': use lower case letters, digits and dashes, starting with a letter");
        }
    }

    /**
     * Whether {@code name} can be a plugin name. The name also forms environment variable names
     * ({@code STASIS_PLUGIN_<NAME>} with dashes as underscores), hence the narrow alphabet.
     *
     * @param name a candidate name
     * @return true for lower case ASCII letters, digits and dashes, starting with a letter
     */
    public static boolean isValidName(String name) {
        return name != null && name.matches("[a-z][a-z0-9-]*");
    }
}
