package org.stasis.cli;

import java.util.Locale;

/**
 * The one rule for plugin option names and the environment variables that carry their values to
 * a plugin's native half (documented for plugin authors in {@code StasisPlugin#options()}):
 * plugin {@code counter}'s option {@code --counter-start} is {@code STASIS_OPT_COUNTER_START}.
 * Pure.
 */
public final class OptionVariables {

    /** Every option variable starts with this; a launch drops inherited ones. */
    public static final String PREFIX = "STASIS_OPT_";

    private OptionVariables() {}

    /** What every option of {@code plugin} starts with: {@code --<plugin>-}. */
    public static String optionPrefix(String plugin) {
        return "--" + plugin + "-";
    }

    /** Whether {@code option} is named as an option of {@code plugin} must be (more than the prefix). */
    public static boolean belongsTo(String plugin, String option) {
        String prefix = optionPrefix(plugin);
        return option.startsWith(prefix) && option.length() > prefix.length();
    }

    /**
     * The variable of {@code plugin}'s {@code option}: {@code STASIS_OPT_}, the plugin name, an
     * underscore, and the option name after {@code --<plugin>-}, upper-cased, dashes as
     * underscores.
     *
     * @throws IllegalArgumentException when the option is not named as the plugin's
     */
    public static String variable(String plugin, String option) {
        if (!belongsTo(plugin, option)) {
            throw new IllegalArgumentException("option " + option + " is not named " + optionPrefix(plugin) + "...");
        }
        return PREFIX + shout(plugin) + "_" + shout(option.substring(optionPrefix(plugin).length()));
    }

    private static String shout(String s) {
        return s.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
