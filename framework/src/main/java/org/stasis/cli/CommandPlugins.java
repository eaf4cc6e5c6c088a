package org.stasis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
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
    /** The Java hooks this command calls ({@link PluginManifest#ALL_HOOKS} names); null: always start Felix. */
    private final Set<String> hooks;
    /** Bundles read from their manifests alone that could not be used. */
    private final List<PluginProblem> manifestProblems = new ArrayList<>();
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
    CommandPlugins(Path home, Path cwd, Path tmp, String withPluginSource, Set<String> hooks) {
        this.home = home;
        this.cwd = cwd;
        this.tmp = tmp;
        this.withPluginSource = withPluginSource;
        this.hooks = hooks == null ? null : Set.copyOf(hooks);
    }

    /**
     * For a front end: plugins from {@code sources}.
     *
     * @param hooks the Java hooks the command calls: while no bundle to load declares one of them
     *     ({@value PluginManifest#HEADER_JAVA_HOOKS}), bundles are read from their manifests and no
     *     OSGi framework starts
     */
    static CommandPlugins of(PluginSources sources, String withPluginSource, Set<String> hooks) {
        return new CommandPlugins(sources.home(), sources.cwd(), sources.tmpDir(), withPluginSource, hooks);
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
    public Optional<PluginDecision> disabledOwner(String option) {
        if (early == null) {
            return Optional.empty();
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
        if (host == null && loadWithoutFramework(installation, extra)) {
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
     * Reads the bundles' manifests; when none declares a Java hook this command calls, takes the
     * plugins from them (Felix costs a quarter of a second, and their Java halves would not be
     * called) and returns true. Otherwise loads nothing and returns false.
     */
    private boolean loadWithoutFramework(List<Path> installation, List<Path> extra) {
        if (hooks == null) {
            return false;
        }
        List<PluginManifest> read = new ArrayList<>();
        List<PluginProblem> problems = new ArrayList<>();
        for (List<Path> files : List.of(installation, extra)) {
            String origin = files == installation ? PluginHost.ORIGIN_INSTALLATION : PluginHost.ORIGIN_WITH_PLUGIN;
            for (Path f : files) {
                Path abs = f.toAbsolutePath().normalize();
                try {
                    PluginManifest m = PluginManifest.read(abs, origin);
                    if (m.javaHooks().stream().anyMatch(hooks::contains)) {
                        return false;
                    }
                    String name = m.plugin().name();
                    InstalledPlugin other = plugins.stream().filter(p -> p.name().equals(name)).findFirst()
                            .orElse(read.stream().map(PluginManifest::plugin).filter(p -> p.name().equals(name))
                                    .findFirst().orElse(null));
                    if (other != null) {
                        throw new PluginManifest.Invalid("another plugin named " + name + " is already loaded from "
                                + other.file());
                    }
                    read.add(m);
                } catch (PluginManifest.Invalid e) {
                    if (origin.equals(PluginHost.ORIGIN_WITH_PLUGIN)) {
                        throw new CliException(abs + ": " + e.getMessage() + " (requested by " + withPluginSource + ")");
                    }
                    problems.add(new PluginProblem(abs, origin, abs + ": " + e.getMessage()));
                }
            }
        }
        read.forEach(m -> plugins.add(m.plugin()));
        manifestProblems.addAll(problems);
        return true;
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
        List<PluginProblem> problems = new ArrayList<>(manifestProblems);
        if (host == null) {
            return new PluginSetup(null, plugins, problems, set);
        }
        if (start) {
            start(set.enabled().stream().map(PluginDescriptor::name).toList());
        }
        problems.addAll(host.problems());
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
