package org.stasis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** {@code stasis plugins}: what checkpointing capabilities this installation has. */
@Command(name = "plugins",
        header = "List the installed plugins, whether each is enabled, and what decided it.",
        description = {"List the built-in capture and every plugin bundle of the installation (bundles/) and of",
            "--with-plugin, with its version, whether it is enabled, and the layer that decided it:",
            "default, site:<file> (etc/stasis.conf or $STASIS_CONFIG), env:<VARIABLE>",
            "(STASIS_PLUGIN_<NAME> or DMTCP_<NAME>_PLUGIN), flag:<flag> or with-plugin.",
            "Bundles that cannot be loaded are listed with the reason.",
            "",
            "Launch's plugin flags (--ptrace, --rm, --disable-<name>-plugin, --disable-all-plugins, ...)",
            "may follow: the list is then what 'dmtcp_launch' with those flags would enable."},
        customSynopsis = "stasis plugins [--json] [--with-plugin PLUGINS] [launch plugin flags...]",
        sortOptions = false, versionProvider = VersionProvider.class)
public class PluginsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--with-plugin", paramLabel = "PLUGINS",
            description = "Colon-separated plugin bundles (jar files or folders) or names to load and enable,"
                + " as for launch (environment variable DMTCP_PLUGIN).")
    String withPlugin;

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    /** Launch's plugin flags, parsed by launch's own parser so that both read them alike. */
    @Unmatched
    List<String> launchFlags = new ArrayList<>();

    @Override
    public Integer call() {
        Env env = Env.system();
        Path cwd = Path.of("").toAbsolutePath();
        Path home = Installation.homeOrNull();
        String list = withPlugin != null ? withPlugin : env.get("DMTCP_PLUGIN");
        List<String> with = list == null ? List.of()
                : Arrays.stream(list.split(":")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        Path tmp = ConnectionOptions.tmpDir(null, env, cwd);
        try (PluginSetup setup = PluginSetup.load(home, env, cwd, tmp, launchPluginFlags(env, cwd), with, false)) {
            System.out.print(json ? Json.write(toJson(setup, builtinStatus(home))) + "\n"
                    : table(setup, builtinStatus(home)));
        }
        return 0;
    }

    /**
     * The plugin flags of {@code dmtcp_launch <launchFlags> true}, read by launch's own parser;
     * anything else than a plugin flag is refused.
     */
    PluginFlags launchPluginFlags(Env env, Path cwd) {
        if (launchFlags.isEmpty()) {
            return PluginFlags.NONE;
        }
        try {
            PluginFlags flags = LaunchCommand.pluginFlags(launchFlags, env, cwd);
            int given = (int) launchFlags.stream().filter(f -> f.startsWith("--")).count();
            if (flags.settings().size() + (flags.disableAll() ? 1 : 0) < given) {
                throw CliException.usage("takes launch's plugin flags only, not "
                        + String.join(" ", launchFlags));
            }
            return flags;
        } catch (CommandLine.ParameterException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    /** The built-in capture's state: present unless the installation lacks its native files. */
    static String builtinStatus(Path home) {
        if (home != null) {
            Path lib = home.resolve("lib");
            if (!Files.isRegularFile(lib.resolve("libstasis.so")) || !Files.isRegularFile(lib.resolve("stasis-restore"))) {
                return "MISSING (libstasis.so or stasis-restore not in " + lib + ")";
            }
        }
        return "yes";
    }

    static String table(PluginSetup setup, String builtin) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "ENABLED", "DECIDED BY", "FILE"});
        rows.add(new String[] {PluginCatalog.BUILTIN, VersionProvider.version(), builtin, "built-in", "lib/libstasis.so"});
        for (PluginDecision d : setup.enabled().decisions()) {
            InstalledPlugin p = setup.plugins().stream().filter(x -> x.name().equals(d.name())).findFirst().orElseThrow();
            rows.add(new String[] {d.name(), d.plugin().version(), d.enabled() ? "yes" : "no", d.layer(),
                p.file().toString()});
        }
        int[] w = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < w.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(String.format("%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %-" + w[3] + "s  %s",
                    (Object[]) r).stripTrailing()).append('\n');
        }
        if (setup.plugins().isEmpty() && setup.problems().isEmpty()) {
            sb.append("\nNo plugin bundles installed.\n");
        }
        if (!setup.problems().isEmpty()) {
            sb.append("\nNot loaded:\n");
            for (PluginProblem p : setup.problems()) {
                sb.append("  ").append(p.message()).append('\n');
            }
        }
        return sb.toString();
    }

    static Map<String, Object> toJson(PluginSetup setup, String builtin) {
        List<Object> plugins = new ArrayList<>();
        Map<String, Object> core = new LinkedHashMap<>();
        core.put("name", PluginCatalog.BUILTIN);
        core.put("version", VersionProvider.version());
        core.put("enabled", "yes".equals(builtin));
        core.put("decidedBy", "built-in");
        core.put("file", null);
        plugins.add(core);
        for (PluginDecision d : setup.enabled().decisions()) {
            InstalledPlugin p = setup.plugins().stream().filter(x -> x.name().equals(d.name())).findFirst().orElseThrow();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("version", d.plugin().version());
            m.put("enabled", d.enabled());
            m.put("decidedBy", d.layer());
            m.put("file", p.file().toString());
            m.put("bundle", p.symbolicName());
            m.put("sdk", p.sdk().toString());
            plugins.add(m);
        }
        List<Object> problems = new ArrayList<>();
        for (PluginProblem p : setup.problems()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", p.file().toString());
            m.put("message", p.message());
            problems.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("plugins", plugins);
        out.put("problems", problems);
        return out;
    }
}
