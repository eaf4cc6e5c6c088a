package org.stasis.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stasis.sdk.PluginOption;

/**
 * The plugin options of one command line.
 *
 * @param declared every plugin's declared options
 * @param given the options given, by plugin name, each map by option name; a flag has
 *        {@code "true"}
 */
public record PluginOptionValues(PluginOptionSet declared, Map<String, Map<String, String>> given) {

    public static final PluginOptionValues NONE = new PluginOptionValues(PluginOptionSet.NONE, Map.of());

    public PluginOptionValues {
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        given.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        given = Collections.unmodifiableMap(copy);
    }

    /**
     * A plugin's option values as its hooks see them: given ones, then defaults of the others,
     * in declaration order.
     */
    public Map<String, String> of(String plugin) {
        Map<String, String> mine = given.getOrDefault(plugin, Map.of());
        Map<String, String> out = new LinkedHashMap<>();
        for (PluginOption o : declared.byPlugin().getOrDefault(plugin, List.of())) {
            String v = mine.containsKey(o.name()) ? mine.get(o.name()) : o.defaultValue();
            if (v != null) {
                out.put(o.name(), v);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The values of {@link #of} as the environment variables of the plugin's native half. */
    public Map<String, String> variables(String plugin) {
        Map<String, String> out = new LinkedHashMap<>();
        of(plugin).forEach((option, value) -> out.put(OptionVariables.variable(plugin, option), value));
        return out;
    }

    /**
     * Refuses options given for plugins that are not enabled, naming the plugin and the layer
     * that disabled it: the user asked for something that would silently do nothing.
     */
    public void requireEnabled(EnabledSet set) {
        for (Map.Entry<String, Map<String, String>> e : given.entrySet()) {
            PluginDecision d = set.decision(e.getKey());
            if (d == null || d.enabled()) {
                continue;
            }
            throw refusal(e.getValue().keySet().iterator().next(), d);
        }
    }

    /** The usage error for an option of a plugin that {@code d} disables. */
    static CliException refusal(String option, PluginDecision d) {
        return CliException.usage("option " + option + " belongs to plugin " + d.name() + ", which is " + disabledBy(d));
    }

    private static String disabledBy(PluginDecision d) {
        String layer = d.layer();
        if (layer.equals("default")) {
            return "disabled by default (enable it with --with-plugin " + d.name() + " or "
                    + "STASIS_PLUGIN_" + d.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "=1)";
        }
        if (layer.startsWith("site:")) {
            return "disabled in " + layer.substring("site:".length());
        }
        if (layer.startsWith("env:")) {
            return "disabled by environment variable " + layer.substring("env:".length());
        }
        if (layer.startsWith("flag:")) {
            return "disabled by " + layer.substring("flag:".length());
        }
        return "disabled (" + layer + ")";
    }
}
