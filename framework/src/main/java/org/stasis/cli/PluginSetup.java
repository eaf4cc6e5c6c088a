package org.stasis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The plugins of one command: what is installed, what failed to load, and the enabled set. Felix
 * is started only when there is a bundle to load, so that a launch without plugins costs nothing
 * (the usual case, and the one {@code dmtcp_launch} must keep fast).
 *
 * @param host the running plugin host, or null when there was no bundle to load
 * @param plugins the plugins that loaded, in plugin order
 * @param problems bundles that did not load
 * @param enabled the enabled set over {@code plugins}
 */
public record PluginSetup(PluginHost host, List<InstalledPlugin> plugins, List<PluginProblem> problems,
        EnabledSet enabled) implements AutoCloseable {

    public PluginSetup {
        plugins = List.copyOf(plugins);
        problems = List.copyOf(problems);
    }

    /**
     * A {@code --with-plugin} / {@code DMTCP_PLUGIN} entry split into bundle paths and plugin names.
     *
     * @param paths entries that name a file or folder, absolute
     * @param names entries that name an installed plugin
     */
    public record WithPlugins(List<Path> paths, List<String> names) {

        public WithPlugins {
            paths = List.copyOf(paths);
            names = List.copyOf(names);
        }

        /**
         * An entry is a path when it has a slash or a {@code .jar}/{@code .so} ending, or names
         * something that exists relative to {@code cwd}; otherwise it is a plugin name.
         */
        public static WithPlugins classify(List<String> entries, Path cwd) {
            List<Path> paths = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (String e : entries) {
                boolean looksLikePath = e.indexOf('/') >= 0 || e.endsWith(".jar") || e.endsWith(".so");
                if (looksLikePath || Files.exists(cwd.resolve(e))) {
                    paths.add(cwd.resolve(e).toAbsolutePath().normalize());
                } else {
                    names.add(e);
                }
            }
            return new WithPlugins(paths, names);
        }
    }

    /**
     * Loads the installation's bundles and the {@code --with-plugin} paths, then resolves the
     * enabled set. Bundles named by {@code --with-plugin} that fail to load are an error (the user
     * asked for them); broken bundles of the installation are only reported in {@link #problems()}.
     * Launch and restart use {@link CommandPlugins}, which does the same in two steps around
     * parsing their command line.
     *
     * @param start whether to start the enabled plugins' bundles (launch) or only list them
     */
    public static PluginSetup load(Path home, Env env, Path cwd, Path tmp, PluginFlags flags, List<String> withPlugin,
            boolean start) {
        CommandPlugins loaded = new CommandPlugins(home, cwd, tmp, PluginHost.ORIGIN_WITH_PLUGIN, null);
        try {
            return loaded.setup(env, flags, withPlugin, start);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** Names of the enabled plugins whose bundles are running. */
    public Set<String> active() {
        return host == null ? Set.of() : host.active();
    }

    @Override
    public void close() {
        if (host != null) {
            host.close();
        }
    }
}
