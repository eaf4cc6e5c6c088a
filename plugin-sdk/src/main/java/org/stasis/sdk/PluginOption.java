package org.stasis.sdk;

import java.util.Objects;

/**
 * A command-line option a plugin adds to launch and restart.
 *
 * @param name the long option, e.g. {@code --slurm-partition}; must start with
 *        {@code --<plugin-name>-}
 * @param paramLabel the value's label in {@code --help} (e.g. {@code NAME}), or null for an
 *        option without a value (then its value in the contexts is {@code "true"} when given)
 * @param description one sentence for {@code --help}
 * @param defaultValue the value when the option is not given, or null for none
 */
public record PluginOption(String name, String paramLabel, String description, String defaultValue) {

    public PluginOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!name.matches("--[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("invalid option name '" + name
                    + "': a long option such as --plugin-thing");
        }
    }

    /** Whether the option takes a value. */
    public boolean hasValue() {
        return paramLabel != null;
    }
}
