package org.stasis.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.stasis.barrier.ScriptEnvironment;
import org.stasis.sdk.LaunchContext;
import org.stasis.sdk.RestartContext;
import org.stasis.sdk.StasisPlugin;

/**
 * Calls the Java halves of a launch's or restart's enabled plugins, and turns what they return
 * into what the launched program gets.
 */
final class PluginHooks {

    /**
     * At most this many characters each for {@code STASIS_SCRIPT_ENV} and
     * {@code STASIS_PLUGIN_BUNDLES}: the agent sends both in one HELLO frame of at most 64 KiB.
     */
    static final int MAX_ANNOUNCED = 16 * 1024;

    private PluginHooks() {}

    /**
     * Prints the notes of the enabled set and the bundles that did not load as warnings, and
     * refuses the command when an enabled plugin is among those.
     */
    static void reportProblems(PluginSetup plugins, int quiet, PrintStream err) {
        String prog = System.getProperty("stasis.prog", "stasis");
        if (quiet < 2) {
            plugins.enabled().notes().forEach(n -> err.println(prog + ": warning: " + n));
        }
        for (PluginProblem p : plugins.problems()) {
            String name = plugins.plugins().stream().filter(x -> x.file().equals(p.file()))
                    .map(InstalledPlugin::name).findFirst().orElse(null);
            PluginDecision d = name == null ? null : plugins.enabled().decision(name);
            if (d != null && d.enabled()) {
                throw new CliException(p.message());
            }
            if (quiet < 2) {
                err.println(prog + ": warning: plugin bundle not loaded: " + p.message());
            }
        }
    }

    /** The enabled plugins that have a Java half, in plugin order. */
    static Map<String, StasisPlugin> javaHalves(PluginSetup plugins) {
        Map<String, StasisPlugin> out = new LinkedHashMap<>();
        if (plugins.host() == null) {
            return out;
        }
        Map<String, StasisPlugin> services = plugins.host().services();
        for (PluginDescriptor d : plugins.enabled().enabled()) {
            StasisPlugin s = services.get(d.name());
            if (s != null) { // a plugin may have only a native half
                out.put(d.name(), s);
            }
        }
        return out;
    }

    /**
     * Runs the launch hooks and returns the variables the program gets for its plugins: each
     * enabled plugin's option values ({@code STASIS_OPT_...}), the bundles given with
     * {@code --with-plugin} ({@code STASIS_PLUGIN_BUNDLES}) and the restart-script
     * contributions ({@code STASIS_SCRIPT_ENV}); the last two only when not empty.
     *
     * @throws CliException naming the plugin that refused or misbehaved
     */
    static Map<String, String> launch(PluginSetup plugins, PluginOptionValues options, LaunchOptions o) {
        options.requireEnabled(plugins.enabled());
        Map<String, StasisPlugin> java = javaHalves(plugins);
        checkNamespaces(java);
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, StasisPlugin> e : java.entrySet()) {
            String name = e.getKey();
            try {
                e.getValue().onLaunch(new LaunchContext(o.program(), o.args(), o.ckptDir(), options.of(name)));
            } catch (RuntimeException ex) {
                throw new CliException("plugin " + name + " refused the launch: " + describe(ex));
            }
            env.putAll(options.variables(name));
        }
        String bundles = bundles(plugins);
        if (!bundles.isEmpty()) {
            env.put(ScriptEnvironment.BUNDLES_VARIABLE, bundles);
        }
        String script = ScriptEnvironment.encode(scriptEnvironment(java));
        if (script.length() > MAX_ANNOUNCED) {
            throw new CliException("the plugins' restart-script variables are too large (" + script.length()
                    + " characters encoded, at most " + MAX_ANNOUNCED + ")");
        }
        if (!script.isEmpty()) {
            env.put(ScriptEnvironment.SCRIPT_ENV_VARIABLE, script);
        }
        return env;
    }

    /** The bundle paths of enabled plugins that came from {@code --with-plugin}, colon-separated. */
    static String bundles(PluginSetup plugins) {
        List<String> paths = new ArrayList<>();
        for (InstalledPlugin p : plugins.plugins()) {
            PluginDecision d = plugins.enabled().decision(p.name());
            if (!p.origin().equals(PluginHost.ORIGIN_WITH_PLUGIN) || d == null || !d.enabled()) {
                continue;
            }
            String path = p.file().toString();
            if (path.indexOf('\n') >= 0 || path.indexOf(':') >= 0) {
                // Neither survives the colon-separated list the agent forwards on one line.
                throw new CliException("plugin " + p.name() + ": its bundle path " + path.replace("\n", "\\n")
                        + " contains a colon or newline, which the restart cannot be told; move the bundle");
            }
            paths.add(path);
        }
        String joined = String.join(":", paths);
        if (joined.length() > MAX_ANNOUNCED) {
            throw new CliException("the --with-plugin bundle paths are too long together (" + joined.length()
                    + " characters, at most " + MAX_ANNOUNCED + ")");
        }
        return joined;
    }

    /** The enabled plugins' restart-script variables, checked; two plugins may agree on one. */
    static Map<String, String> scriptEnvironment(Map<String, StasisPlugin> java) {
        Map<String, String> all = new LinkedHashMap<>();
        Map<String, String> owner = new LinkedHashMap<>();
        for (Map.Entry<String, StasisPlugin> e : java.entrySet()) {
            String name = e.getKey();
            Map<String, String> vars;
            try {
                vars = e.getValue().restartScriptEnvironment();
            } catch (RuntimeException ex) {
                throw new CliException("plugin " + name + " refused the launch: " + describe(ex));
            }
            if (vars == null) {
                throw new CliException("plugin " + name + ": restartScriptEnvironment() returned null");
            }
            for (Map.Entry<String, String> v : vars.entrySet()) {
                String problem = ScriptEnvironment.nameProblem(v.getKey());
                if (problem == null) {
                    problem = ScriptEnvironment.valueProblem(v.getValue());
                }
                if (problem != null) {
                    throw new CliException("plugin " + name + ": restart-script variable " + v.getKey() + ": "
                            + problem);
                }
                String before = all.putIfAbsent(v.getKey(), v.getValue());
                if (before != null && !before.equals(v.getValue())) {
                    throw new CliException("plugins " + owner.get(v.getKey()) + " and " + name
                            + " both set restart-script variable " + v.getKey() + ", to different values");
                }
                owner.putIfAbsent(v.getKey(), name);
            }
        }
        return all;
    }

    private static void checkNamespaces(Map<String, StasisPlugin> java) {
        Map<String, String> owner = new LinkedHashMap<>();
        for (Map.Entry<String, StasisPlugin> e : java.entrySet()) {
            Set<String> claimed;
            try {
                claimed = e.getValue().kvNamespaces();
            } catch (RuntimeException ex) {
                throw new CliException("plugin " + e.getKey() + " refused the launch: " + describe(ex));
            }
            for (String ns : claimed == null ? Set.<String>of() : claimed) {
                String other = owner.putIfAbsent(ns, e.getKey());
                if (other != null) {
                    throw new CliException("plugins " + other + " and " + e.getKey()
                            + " both claim the key-value namespace " + ns + "; disable one of them");
                }
            }
        }
    }

    /**
     * Runs the restart hooks, in plugin order.
     *
     * @param checkpointDir where the next generations go
     * @throws CliException naming the plugin that refused
     */
    static void restart(PluginSetup plugins, PluginOptionValues options, List<Path> images, Path checkpointDir) {
        options.requireEnabled(plugins.enabled());
        for (Map.Entry<String, StasisPlugin> e : javaHalves(plugins).entrySet()) {
            String name = e.getKey();
            try {
                e.getValue().onRestart(new RestartContext(images, checkpointDir, options.of(name)));
            } catch (RuntimeException ex) {
                throw new CliException("plugin " + name + " refused the restart: " + describe(ex));
            }
        }
    }

    /** A plugin's exception as one line: users see it after "plugin X refused ...: ". */
    static String describe(Throwable e) {
        return LocalCoordinatorOps.describe(e).strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
