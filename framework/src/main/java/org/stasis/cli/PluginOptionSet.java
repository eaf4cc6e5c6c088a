package org.stasis.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stasis.sdk.PluginOption;
import org.stasis.sdk.StasisPlugin;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options plugins add to a launch or restart: collected from the plugins and checked, added
 * to the command's picocli model (one help section per plugin), and read back after parsing.
 *
 * @param byPlugin each plugin's options, by plugin name in plugin order
 */
public record PluginOptionSet(Map<String, List<PluginOption>> byPlugin) {

    public static final PluginOptionSet NONE = new PluginOptionSet(Map.of());

    /** Help sections of plugins come after the command's own (whose orders are below this). */
    private static final int FIRST_GROUP_ORDER = 100;

    public PluginOptionSet {
        Map<String, List<PluginOption>> copy = new LinkedHashMap<>();
        byPlugin.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        byPlugin = Collections.unmodifiableMap(copy);
    }

    /**
     * What collecting found.
     *
     * @param options the options of the plugins whose declarations are good
     * @param problems why a plugin's options were left out, by plugin name
     */
    public record Collected(PluginOptionSet options, Map<String, String> problems) {
        public Collected {
            problems = Collections.unmodifiableMap(new LinkedHashMap<>(problems));
        }
    }

    /**
     * Asks each plugin for its options. A plugin whose options break a rule (name without its
     * {@code --<name>-} prefix, a name twice, a name the command or an earlier plugin already has,
     * or {@code options()} failing) contributes none and gets a problem naming it.
     *
     * @param services the plugins' Java halves, by name, in plugin order
     * @param taken option names the command itself has
     */
    public static Collected collect(Map<String, StasisPlugin> services, Set<String> taken) {
        Map<String, List<PluginOption>> good = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        for (Map.Entry<String, StasisPlugin> e : services.entrySet()) {
            String plugin = e.getKey();
            List<PluginOption> declared;
            try {
                declared = e.getValue().options();
            } catch (RuntimeException ex) {
                problems.put(plugin, "plugin " + plugin + ": options() failed: " + LocalCoordinatorOps.describe(ex));
                continue;
            }
            String problem = check(plugin, declared, taken, owners);
            if (problem != null) {
                problems.put(plugin, "plugin " + plugin + ": " + problem);
                continue;
            }
            declared.forEach(o -> owners.put(o.name(), plugin));
            if (!declared.isEmpty()) {
                good.put(plugin, declared);
            }
        }
        return new Collected(new PluginOptionSet(good), problems);
    }

    private static String check(String plugin, List<PluginOption> declared, Set<String> taken,
            Map<String, String> owners) {
        if (declared == null) {
            return "options() returned null (return an empty list for none)";
        }
        Set<String> seen = new HashSet<>();
        for (PluginOption o : declared) {
            if (o == null) {
                return "options() returned a null option";
            }
            if (!OptionVariables.belongsTo(plugin, o.name())) {
                return "option " + o.name() + " must start with " + OptionVariables.optionPrefix(plugin)
                        + " (a plugin's options are named after it)";
            }
            if (!seen.add(o.name())) {
                return "option " + o.name() + " is declared twice";
            }
            if (taken.contains(o.name())) {
                return "option " + o.name() + " is already an option of the command itself";
            }
            if (owners.containsKey(o.name())) {
                return "option " + o.name() + " is already an option of plugin " + owners.get(o.name());
            }
        }
        return null;
    }

    /** Whether no plugin has options. */
    public boolean isEmpty() {
        return byPlugin.isEmpty();
    }

    /** The plugin an option belongs to, or null. */
    public String owner(String option) {
        for (Map.Entry<String, List<PluginOption>> e : byPlugin.entrySet()) {
            for (PluginOption o : e.getValue()) {
                if (o.name().equals(option)) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /**
     * Adds the options to a command's model, each plugin's under the heading
     * {@code Options of plugin <name>:}. Plugins' texts are shown literally: picocli would
     * otherwise expand {@code ${...}} and treat {@code %} as a format.
     */
    public void addTo(CommandSpec spec) {
        int order = FIRST_GROUP_ORDER;
        for (Map.Entry<String, List<PluginOption>> e : byPlugin.entrySet()) {
            ArgGroupSpec.Builder group = ArgGroupSpec.builder()
                    .heading("%nOptions of plugin " + e.getKey() + ":%n")
                    .exclusive(false)
                    .validate(false)
                    .order(order++);
            int i = 1;
            for (PluginOption o : e.getValue()) {
                String text = o.description() + (o.defaultValue() == null ? "" : " (default: " + o.defaultValue() + ")");
                OptionSpec.Builder b = OptionSpec.builder(o.name())
                        .description(literal(text))
                        .order(i++);
                if (o.hasValue()) {
                    b.paramLabel(literal(o.paramLabel())).arity("1").type(String.class);
                } else {
                    b.arity("0").type(boolean.class);
                }
                group.addArg(b.build());
            }
            spec.addArgGroup(group.build());
        }
    }

    /**
     * The plugin options given on a parsed command line, by plugin in plugin order, each in
     * declaration order; a flag that was given has the value {@code "true"}.
     */
    public PluginOptionValues given(CommandSpec spec) {
        Map<String, Map<String, String>> given = new LinkedHashMap<>();
        for (Map.Entry<String, List<PluginOption>> e : byPlugin.entrySet()) {
            Map<String, String> values = new LinkedHashMap<>();
            for (PluginOption o : e.getValue()) {
                OptionSpec os = spec.findOption(o.name());
                Object v = os == null ? null : os.getValue();
                if (o.hasValue() && v != null) {
                    values.put(o.name(), v.toString());
                } else if (!o.hasValue() && Boolean.TRUE.equals(v)) {
                    values.put(o.name(), "true");
                }
            }
            if (!values.isEmpty()) {
                given.put(e.getKey(), values);
            }
        }
        return new PluginOptionValues(this, given);
    }

    /** Picocli's escapes for its own markup: {@code %%} for {@code %}, {@code $$} before {@code {}. */
    static String literal(String text) {
        return text.replace("%", "%%").replace("${", "$${");
    }

    /** All option names, for tests and messages. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        byPlugin.values().forEach(l -> l.forEach(o -> out.add(o.name())));
        return out;
    }
}
