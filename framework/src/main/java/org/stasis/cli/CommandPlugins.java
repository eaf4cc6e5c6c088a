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
 * costs nothing. To collect options every loaded plugin is started, enabled or not (the enabled
 * set depends on flags not parsed yet); only enabled plugins' hooks are ever called.
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
    void prepare(CommandSpec spec, List<String> withPlugin) {
        load(withPlugin);
        if (host == null) {
            return;
        }
        start(plugins.stream().map(InstalledPlugin::name).toList());
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
        PluginSetup.WithPlugins with = PluginSetup.WithPlugins.classify(withPlugin, cwd);
        List<SiteConfig> site = SiteConfig.load(home, env);
        if (host == null) {
            // Still resolved, so that a flag naming a plugin that is not there is an error.
            EnabledSet set = EnabledSet.resolve(List.of(), imagePlugins, site, env.vars(), flags, with.names());
            return new PluginSetup(null, List.of(), List.of(), set);
        }
        List<String> names = new ArrayList<>(with.names());
        for (Path p : with.paths()) {
            plugins.stream().filter(x -> x.file().equals(p)).map(InstalledPlugin::name).findFirst()
                    .filter(n -> !names.contains(n)).ifPresent(names::add);
        }
        EnabledSet set = EnabledSet.resolve(plugins.stream().map(InstalledPlugin::descriptor).toList(),
                imagePlugins, site, env.vars(), flags, names);
        if (start) {
            start(set.enabled().stream().map(PluginDescriptor::name).toList());
        }
        List<PluginProblem> problems = new ArrayList<>(host.problems());
        problems.addAll(optionProblems);
        return new PluginSetup(host, plugins, problems, set);
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
