package org.stasis.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stasis.barrier.ScriptEnvironment;

/**
 * Which installed plugins are enabled, and which layer decided each. Layers, each overriding the
 * ones before it:
 * <ol>
 *   <li>{@code default}: the bundle's {@code Stasis-Default-Enabled}; or, for a restart,
 *       {@code image}: on exactly when the image lists the plugin (the computation ran with it);</li>
 *   <li>{@code site:<file>}: {@code plugin.<name> = on|off} lines of the installation's
 *       {@code etc/stasis.conf}, then of the file named by {@code STASIS_CONFIG};</li>
 *   <li>{@code env:<VAR>}: {@code DMTCP_<NAME>_PLUGIN}, then {@code STASIS_PLUGIN_<NAME>}, set to
 *       0 or 1 ({@code NAME} is the plugin name in upper case with dashes as underscores), except
 *       {@code STASIS_PLUGIN_BUNDLES}, which lists a launch's bundles (so a plugin named
 *       {@code bundles} has only the other layers);</li>
 *   <li>{@code flag:<flag>}: {@code --disable-all-plugins} first, then the other plugin flags;</li>
 *   <li>{@code with-plugin}: plugins named by {@code --with-plugin} / {@code DMTCP_PLUGIN}.</li>
 * </ol>
 * A plugin is named by its name or one of its aliases ({@code Stasis-Plugin-Aliases}, DMTCP's
 * name for it). A name that no installed plugin has is an error naming where it came from, so that a typo in a
 * site file or job script does not silently leave a plugin off. The exception is DMTCP's own
 * built-in plugin names that Stasis's core covers ({@link #DMTCP_CORE_NAMES}): job scripts
 * written for DMTCP set those, and the core is always on, so they are accepted and change
 * nothing.
 *
 * <p>Pure: files are read by {@link SiteConfig}, the environment is a map.
 */
public final class EnabledSet {

    /** DMTCP plugin names that are part of Stasis's core: accepted and ignored. */
    public static final Set<String> DMTCP_CORE_NAMES = Set.of("alloc", "dl");

    private static final Pattern CONFIG_LINE = Pattern.compile("plugin\\.([^\\s=]*)\\s*=\\s*(\\S*)");
    private static final Pattern DMTCP_VAR = Pattern.compile("DMTCP_([A-Z0-9_]+)_PLUGIN");
    private static final String STASIS_PREFIX = "STASIS_PLUGIN_";

    private final List<PluginDecision> decisions;
    private final List<String> notes;

    private EnabledSet(List<PluginDecision> decisions, List<String> notes) {
        this.decisions = List.copyOf(decisions);
        this.notes = List.copyOf(notes);
    }

    /**
     * Resolves the enabled set.
     *
     * @param installed the installed plugins, in plugin order
     * @param site the site configuration files, in order
     * @param env the environment
     * @param flags the command-line plugin flags
     * @param withPlugins plugin names from {@code --with-plugin} / {@code DMTCP_PLUGIN} (paths
     *        already mapped to the names of the bundles they hold)
     * @throws CliException naming the file and line, variable or --with-plugin that names an
     *         unknown plugin or has a malformed value (a launch flag naming one gives a note)
     */
    public static EnabledSet resolve(Collection<PluginDescriptor> installed, List<SiteConfig> site,
            Map<String, String> env, PluginFlags flags, List<String> withPlugins) {
        return resolve(installed, List.of(), site, env, flags, withPlugins);
    }

    /**
     * Resolves the enabled set of a restart: as {@link #resolve(Collection, List, Map, PluginFlags,
     * List)}, but the first layer is the image's plugin list instead of the bundles' defaults,
     * so that a plugin the launch turned on by flag is on again, and one it turned off stays off,
     * unless the site or the environment now say otherwise.
     *
     * @param imagePlugins the plugins the image's header lists; empty (an image without the list)
     *        keeps the defaults
     */
    public static EnabledSet resolve(Collection<PluginDescriptor> installed, List<String> imagePlugins,
            List<SiteConfig> site, Map<String, String> env, PluginFlags flags, List<String> withPlugins) {
        Map<String, PluginDescriptor> byName = new LinkedHashMap<>();
        Map<String, PluginDecision> state = new LinkedHashMap<>();
        for (PluginDescriptor p : installed) {
            if (byName.putIfAbsent(p.name(), p) != null) {
                // PluginHost refuses duplicates before this; a second one here is a caller bug
                throw new IllegalArgumentException("two installed plugins named " + p.name());
            }
            state.put(p.name(), imagePlugins.isEmpty() ? new PluginDecision(p, p.defaultEnabled(), "default")
                    : new PluginDecision(p, imagePlugins.contains(p.name()), "image"));
        }
        // DMTCP's names for the same plugins (--disable-socket-plugin): a real name always wins
        for (PluginDescriptor p : installed) {
            p.aliases().forEach(a -> byName.putIfAbsent(a, p));
        }

        for (SiteConfig c : site) {
            applySite(c, byName, state);
        }
        applyEnv(env, byName, state);

        if (flags.disableAll()) {
            for (PluginDescriptor p : byName.values()) {
                state.put(p.name(), new PluginDecision(p, false, "flag:--disable-all-plugins"));
            }
        }
        // DMTCP's own plugin flags (--rm, --ptrace, ...) stand in job scripts written for DMTCP,
        // which must run unchanged: one naming a plugin this installation lacks is a note, and
        // the program runs without it. Every other way of asking for a plugin is deliberate, so
        // an absent one there is an error.
        List<String> notes = new ArrayList<>();
        for (PluginFlags.Setting s : flags.settings()) {
            if (!byName.containsKey(s.plugin()) && !DMTCP_CORE_NAMES.contains(s.plugin()) && !s.plugin().isEmpty()) {
                if (s.enabled()) {
                    notes.add("plugin " + s.plugin() + " is not installed; " + s.flag()
                            + " has no effect and the program runs without it");
                }
                continue;
            }
            PluginDescriptor p = lookup(byName, s.plugin(), s.flag());
            if (p != null) {
                state.put(p.name(), new PluginDecision(p, s.enabled(), "flag:" + s.flag()));
            }
        }

        for (String name : withPlugins) {
            PluginDescriptor p = lookup(byName, name, "--with-plugin");
            if (p != null) {
                state.put(p.name(), new PluginDecision(p, true, "with-plugin"));
            }
        }
        return new EnabledSet(new ArrayList<>(state.values()), notes);
    }

    private static void applySite(SiteConfig c, Map<String, PluginDescriptor> byName,
            Map<String, PluginDecision> state) {
        int n = 0;
        for (String raw : c.lines()) {
            n++;
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = c.source() + ":" + n;
            Matcher m = CONFIG_LINE.matcher(line);
            if (!m.matches()) {
                throw new CliException(where + ": expected 'plugin.<name> = on|off', found '" + line + "'");
            }
            boolean on = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new CliException(where + ": plugin." + m.group(1) + " must be on or off, not '"
                        + m.group(2) + "'");
            };
            PluginDescriptor p = lookup(byName, m.group(1), where);
            if (p != null) {
                state.put(p.name(), new PluginDecision(p, on, "site:" + c.source()));
            }
        }
    }

    private static void applyEnv(Map<String, String> env, Map<String, PluginDescriptor> byName,
            Map<String, PluginDecision> state) {
        // Sorted so that the outcome never depends on the map's order; STASIS_ after DMTCP_ so
        // that our own name wins when a job sets both.
        Map<String, String> dmtcp = new TreeMap<>();
        Map<String, String> stasis = new TreeMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                continue;
            }
            Matcher m = DMTCP_VAR.matcher(e.getKey());
            if (m.matches()) {
                dmtcp.put(e.getKey(), m.group(1));
            } else if (e.getKey().startsWith(STASIS_PREFIX) && e.getKey().length() > STASIS_PREFIX.length()
                    && !e.getKey().equals(ScriptEnvironment.BUNDLES_VARIABLE)) {
                stasis.put(e.getKey(), e.getKey().substring(STASIS_PREFIX.length()));
            }
        }
        for (Map<String, String> vars : List.of(dmtcp, stasis)) {
            for (Map.Entry<String, String> v : vars.entrySet()) {
                String var = v.getKey();
                boolean on = envFlag(var, env.get(var));
                String name = v.getValue().toLowerCase(Locale.ROOT).replace('_', '-');
                PluginDescriptor p = lookup(byName, name, "environment variable " + var);
                if (p != null) {
                    state.put(p.name(), new PluginDecision(p, on, "env:" + var));
                }
            }
        }
    }

    private static boolean envFlag(String var, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> true;
            case "0", "no", "false", "off" -> false;
            default -> throw CliException.usage("invalid value '" + value + "' in environment variable " + var
                    + ": 0 or 1");
        };
    }

    /**
     * The installed plugin of that name; null for a DMTCP core name (always on in Stasis, so
     * nothing to change either way); otherwise an error naming the source.
     */
    private static PluginDescriptor lookup(Map<String, PluginDescriptor> byName, String name, String source) {
        PluginDescriptor p = byName.get(name);
        if (p != null) {
            return p;
        }
        if (DMTCP_CORE_NAMES.contains(name)) {
            return null;
        }
        // Exit 1, not 2: the option is well formed, the installation lacks the plugin.
        throw new CliException(name.isEmpty() ? "empty plugin name (in " + source + ")"
                : "plugin " + name + " is not installed (requested by " + source + ")");
    }

    /** Warnings for the user: launch flags that named a plugin this installation lacks. */
    public List<String> notes() {
        return notes;
    }

    /** Every installed plugin's decision, in plugin order. */
    public List<PluginDecision> decisions() {
        return decisions;
    }

    /** The enabled plugins, in plugin order. */
    public List<PluginDescriptor> enabled() {
        return decisions.stream().filter(PluginDecision::enabled).map(PluginDecision::plugin).toList();
    }

    /** The decision for an installed plugin, or null when none has that name. */
    public PluginDecision decision(String name) {
        return decisions.stream().filter(d -> d.name().equals(name)).findFirst().orElse(null);
    }
}
