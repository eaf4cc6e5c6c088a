package org.stasis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The plugin bundles of one command: loaded before its command line is parsed (so that the
 * plugins' options are part of it and of {@code --help}), then resolved into the enabled set
 * once the parsed flags are known.
 *
 * <p>Felix is started only when there is a bundle to load: a launch or restart without plugins
 * costs nothing. Only enabled plugins are started: before parsing, the enabled set is worked out
 * from the layers already known and the plugin flags read ahead of the parse, and the options
 * are those of the plugins it enables; after parsing, a plugin the final set enables as well is
 * started then, one it disables is never called.
 *
 * <p>One command on one thread; closing stops the host (idempotent).
 */
public final class CommandPlugins implements AutoCloseable {

    private final Path home;
    private final Path cwd;
    private final Path tmp;
    private final String withPluginSource;
    private final List<InstalledPlugin> plugins = new ArrayList<>();
    private final List<PluginProblem> optionProblems = new ArrayList<>();
    /** Plugins whose bundle start was tried: a failing activator is run (and reported) once. */
    private final Set<String> startTried = new HashSet<>();
    private PluginHost host;
    private boolean loaded;
    private PluginOptionSet options = PluginOptionSet.NONE;
    /** The enabled set worked out before parsing; null before {@link #prepare} or without plugins. */
    private EnabledSet early;

    /**
     * @param home the installation, or null
     * @param cwd what relative {@code --with-plugin} paths are relative to
     * @param tmp where the plugin host's cache goes
     * @param withPluginSource how errors name the origin of {@code --with-plugin} entries
     */
    CommandPlugins(Path home, Path cwd, Path tmp, String withPluginSource) {
        this.home = home;
        this.cwd = cwd;
        this.tmp = tmp;
        this.withPluginSource = withPluginSource;
    }

    /** For a front end: plugins from {@code sources}. */
    static CommandPlugins of(PluginSources sources, String withPluginSource) {
        return new CommandPlugins(sources.home(), sources.cwd(), sources.tmpDir(), withPluginSource);
    }

    /**
     * Loads the installation's bundles and the bundle paths among {@code withPlugin}, then adds
     * the options of every plugin that has some to {@code spec}.
     *
     * @throws CliException when a {@code --with-plugin} bundle does not load
     */
    void prepare(CommandSpec spec, List<String> withPlugin, PluginFlags flags, Env env) {
        load(withPlugin);
        if (host == null) {
            return;
        }
        try {
            early = resolve(env, List.of(), flags, withPlugin);
        } catch (CliException e) {
            return; // a bad layer is reported by the real resolution, after parsing
        }
        start(early.enabled().stream().map(PluginDescriptor::name).toList());
        Set<String> taken = new HashSet<>(spec.optionsMap().keySet());
        taken.addAll(spec.negatedOptionsMap().keySet());
        PluginOptionSet.Collected c = PluginOptionSet.collect(host.services(), taken);
        options = c.options();
        c.problems().forEach((name, message) -> {
            InstalledPlugin p = plugins.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            optionProblems.add(new PluginProblem(p.file(), p.origin(), p.file() + ": " + message));
        });
        options.addTo(spec);
    }

    /**
     * The loaded plugin that {@code option} ({@code --<plugin>-...}) belongs to, when that plugin
     * was left disabled before parsing (so its options are not in the model), with what decided.
     */
    public java.util.Optional<PluginDecision> disabledOwner(String option) {
        if (early == null) {
            return java.util.Optional.empty();
        }
        return early.decisions().stream().filter(d -> !d.enabled() && option.startsWith("--" + d.name() + "-"))
                .findFirst();
    }

    /** The options of the loaded plugins (none before {@link #prepare}). */
    public PluginOptionSet options() {
        return options;
    }

    /**
     * Loads the installation's bundles (once) and every bundle path among {@code withPlugin} not
     * loaded yet.
     */
    void load(List<String> withPlugin) {
        List<Path> installation = List.of();
        if (!loaded) {
            installation = home == null ? List.of() : PluginCatalog.installationBundles(Installation.bundles(home));
            loaded = true;
        }
        Set<Path> have = new HashSet<>();
        plugins.forEach(p -> have.add(p.file()));
        List<Path> extra = PluginSetup.WithPlugins.classify(withPlugin, cwd).paths().stream()
                .filter(p -> !have.contains(p)).distinct().toList();
        if (installation.isEmpty() && extra.isEmpty()) {
            return;
        }
        if (host == null) {
            host = PluginHost.start(tmp);
        }
        plugins.addAll(host.install(installation, PluginHost.ORIGIN_INSTALLATION));
        List<InstalledPlugin> added = host.install(extra, PluginHost.ORIGIN_WITH_PLUGIN);
        for (PluginProblem p : host.problems()) {
            if (p.origin().equals(PluginHost.ORIGIN_WITH_PLUGIN)) {
                throw new CliException(p.message() + " (requested by " + withPluginSource + ")");
            }
        }
        plugins.addAll(added);
    }

    /**
     * Resolves the enabled set over the loaded plugins (loading any {@code withPlugin} bundle
     * not loaded yet) and, with {@code start}, starts the enabled ones. The result shares this
     * object's plugin host; closing either closes it.
     */
    PluginSetup setup(Env env, PluginFlags flags, List<String> withPlugin, boolean start) {
        return setup(env, List.of(), flags, withPlugin, start);
    }

    /** The same for a restart: {@code imagePlugins} (the image's list) replaces the defaults. */
    PluginSetup setup(Env env, List<String> imagePlugins, PluginFlags flags, List<String> withPlugin, boolean start) {
        load(withPlugin);
        EnabledSet set = resolve(env, imagePlugins, flags, withPlugin);
        if (host == null) {
            return new PluginSetup(null, List.of(), List.of(), set);
        }
        if (start) {
            start(set.enabled().stream().map(PluginDescriptor::name).toList());
        }
        List<PluginProblem> problems = new ArrayList<>(host.problems());
        problems.addAll(optionProblems);
        return new PluginSetup(host, plugins, problems, set);
    }

    /** The enabled set over the loaded plugins (with none loaded, still resolved: a flag naming a missing plugin is an error). */
    private EnabledSet resolve(Env env, List<String> imagePlugins, PluginFlags flags, List<String> withPlugin) {
        PluginSetup.WithPlugins with = PluginSetup.WithPlugins.classify(withPlugin, cwd);
        List<SiteConfig> site = SiteConfig.load(home, env);
        List<String> names = new ArrayList<>(with.names());
        for (Path p : with.paths()) {
            plugins.stream().filter(x -> x.file().equals(p)).map(InstalledPlugin::name).findFirst()
                    .filter(n -> !names.contains(n)).ifPresent(names::add);
        }
        return EnabledSet.resolve(plugins.stream().map(InstalledPlugin::descriptor).toList(), imagePlugins, site,
                env.vars(), flags, names);
    }

    private void start(List<String> names) {
        host.startPlugins(names.stream().filter(startTried::add).toList());
    }

    @Override
    public void close() {
        if (host != null) {
            host.close();
        }
    }
}
