package org.stasis.sdk;

import java.util.Objects;

/**
 * A command-line option a plugin adds to launch and restart (see {@link StasisPlugin#options()}).
 *
 * <p>Example: plugin {@code counter} declares
 * {@code new PluginOption("--counter-start", "N", "First value of the counter.", "0")}. Then
 * {@code dmtcp_launch --counter-start 5 ./prog} gives {@code {"--counter-start": "5"}} in
 * {@link LaunchContext#options()} and {@code STASIS_OPT_COUNTER_START=5} in the environment of
 * {@code ./prog}, where the plugin's native half reads it; without the option both carry the
 * default {@code 0}.
 *
 * <p>The variable name is {@code STASIS_OPT_}, then the plugin name, an underscore, and the rest
 * of the option name after {@code --<plugin-name>-}, all upper-cased with dashes as underscores.
 * Only enabled plugins' options are set.
 *
 * @param name the long option, e.g. {@code --slurm-partition}; lower case letters, digits and
 *        dashes, and it must start with {@code --<plugin-name>-} (checked when the plugin is
 *        loaded, which reports a plugin breaking the rule by name)
 * @param paramLabel the value's label in {@code --help} (e.g. {@code NAME}), or null for an
 *        option without a value (a flag: its value is {@code "true"} when given)
 * @param description one sentence for {@code --help}, shown as written ({@code %} and
 *        {@code ${...}} have no special meaning)
 * @param defaultValue the value when the option is not given (shown in {@code --help}), or null
 *        for none: the option is then absent from the contexts and the environment unless given
 */
public record PluginOption(String name, String paramLabel, String description, String defaultValue) {

    /**
     * Checks the values.
     *
     * @param name the long option
     * @param paramLabel the value's label, or null for a flag
     * @param description one sentence for {@code --help}
     * @param defaultValue the value when not given, or null
     * @throws NullPointerException when {@code name} or {@code description} is null
     * @throws IllegalArgumentException when {@code name} is not a long option of lower case
     *         letters, digits and dashes (the plugin prefix is checked when the plugin is loaded)
     */
    public PluginOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (!name.matches("--[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException("invalid option name '" + name
                    + "': a long option such as --plugin-thing");
        }
    }

    /**
     * Whether the option takes a value.
     *
     * @return true when {@link #paramLabel()} is not null
     */
    public boolean hasValue() {
        return paramLabel != null;
    }
}
