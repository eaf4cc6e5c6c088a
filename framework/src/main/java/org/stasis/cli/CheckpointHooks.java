package org.stasis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stasis.barrier.CompletedGeneration;
import org.stasis.barrier.GenerationListener;
import org.stasis.sdk.GenerationContext;
import org.stasis.sdk.StasisPlugin;

/**
 * The coordinator's plugin side: calls {@link StasisPlugin#onCheckpointComplete} of the plugins
 * the workers announced, after each completed generation: the installation's plugins that are
 * enabled in them ({@code plugins} of their HELLO) and their {@code --with-plugin} bundles, of
 * those that declare that hook. Only those bundles are installed and started.
 *
 * <p>The bundles are loaded into a plugin host of the coordinator's own when the first
 * generation that announces some completes (a coordinator whose processes use no plugin never
 * starts Felix), and stay loaded; bundles announced later are added. Everything runs on one thread of its own, never on the coordinator's event loop, so a
 * slow plugin delays only the next generation's hooks. Failures are logged and reported to
 * {@code status} through {@code report}; they never stop the coordinator.
 */
final class CheckpointHooks implements GenerationListener, AutoCloseable {

    /** What a generation's hooks came to: an empty error when all went well. */
    @FunctionalInterface
    interface Report {
        void outcome(int generation, String error);
    }

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointHooks.class);
    /** How long closing waits for hooks still running; a stuck plugin must not keep the coordinator alive. */
    private static final long CLOSE_WAIT_SECONDS = 60;

    private final Path tmp;
    private final List<Path> installation;
    private final Report report;
    private final ExecutorService worker;

    // Confined to the worker thread.
    private PluginHost host;
    /** Plugin name by bundle file, for bundles that loaded. */
    private final Map<Path, String> loaded = new HashMap<>();
    /** Why a bundle did not load, for bundles that did not. */
    private final Map<Path, String> failed = new HashMap<>();

    /**
     * @param tmp where the plugin host's cache goes
     * @param installation the installation's bundle files (bundles/), whose plugins are called
     *     when the workers name them as enabled
     * @param report receives each generation's outcome (e.g. the coordinator's hookOutcome)
     */
    CheckpointHooks(Path tmp, List<Path> installation, Report report) {
        this.tmp = Objects.requireNonNull(tmp, "tmp");
        this.installation = List.copyOf(installation);
        this.report = Objects.requireNonNull(report, "report");
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stasis-plugin-hooks");
            t.setDaemon(true);
            return t;
        });
    }

    /** On the coordinator's event loop: hands the generation to the hooks' thread. */
    @Override
    public void generationCompleted(CompletedGeneration generation) {
        try {
            worker.execute(() -> run(generation));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("generation {} completed while shutting down: plugins not called", generation.generation());
        }
    }

    private void run(CompletedGeneration g) {
        List<String> errors = new ArrayList<>();
        List<Path> wanted = new ArrayList<>();
        for (Path b : installation) {
            if (calledHere(b, g.plugins())) {
                wanted.add(b);
            }
        }
        g.bundles().stream().filter(b -> !wanted.contains(b) && calledHere(b, null)).forEach(wanted::add);
        if (!wanted.isEmpty()) {
            try {
                load(wanted);
                call(g, errors);
            } catch (RuntimeException e) {
                String why = "plugins not called: " + LocalCoordinatorOps.describe(e);
                LOG.warn("generation {}: {}", g.generation(), why);
                errors.add(why);
            }
        }
        for (Path b : g.bundles()) {
            if (failed.containsKey(b)) {
                errors.add(failed.get(b));
            }
        }
        try {
            report.outcome(g.generation(), String.join("; ", errors));
        } catch (RuntimeException e) {
            LOG.debug("reporting the hooks of generation {}", g.generation(), e);
        }
    }

    /**
     * Whether a bundle's Java half is wanted here: it declares {@code onCheckpointComplete}
     * ({@value PluginManifest#HEADER_JAVA_HOOKS}) and, for an installed one, the workers named it
     * enabled ({@code names}; null: a bundle they announced). A bundle whose manifest cannot be
     * read is wanted, so that loading it reports why.
     */
    private static boolean calledHere(Path bundle, List<String> names) {
        try {
            PluginManifest m = PluginManifest.read(bundle, PluginHost.ORIGIN_WITH_PLUGIN);
            return m.javaHooks().contains(PluginManifest.HOOK_CHECKPOINT_COMPLETE)
                    && (names == null || names.contains(m.plugin().name()));
        } catch (PluginManifest.Invalid e) {
            return names == null;
        }
    }

    private void load(List<Path> bundles) {
        List<Path> fresh = bundles.stream().filter(b -> !loaded.containsKey(b) && !failed.containsKey(b)).toList();
        if (fresh.isEmpty()) {
            return;
        }
        if (host == null) {
            host = PluginHost.start(tmp);
        }
        int before = host.problems().size();
        List<InstalledPlugin> added = host.install(fresh, PluginHost.ORIGIN_WITH_PLUGIN);
        List<InstalledPlugin> started = host.startPlugins(added.stream().map(InstalledPlugin::name).toList());
        started.forEach(p -> loaded.put(p.file(), p.name()));
        List<PluginProblem> problems = host.problems();
        for (PluginProblem p : problems.subList(before, problems.size())) {
            LOG.warn("plugin bundle not loaded: {}", p.message());
            failed.put(p.file(), "plugin bundle not loaded: " + p.message());
        }
        for (Path b : fresh) {
            if (!loaded.containsKey(b)) {
                failed.putIfAbsent(b, "plugin bundle not loaded: " + b);
            }
        }
    }

    private void call(CompletedGeneration g, List<String> errors) {
        Map<String, StasisPlugin> services = host.services();
        GenerationContext ctx = new GenerationContext(g.compid(), g.generation(), imageDir(g), g.images());
        Map<String, StasisPlugin> mine = new LinkedHashMap<>();
        for (String name : g.plugins()) {
            StasisPlugin s = loaded.containsValue(name) ? services.get(name) : null;
            if (s != null) {
                mine.put(name, s);
            }
        }
        for (Path b : g.bundles()) {
            String name = loaded.get(b);
            StasisPlugin s = name == null ? null : services.get(name);
            if (s != null) { // a plugin may have only a native half
                mine.put(name, s);
            }
        }
        for (Map.Entry<String, StasisPlugin> e : mine.entrySet()) {
            try {
                e.getValue().onCheckpointComplete(ctx);
                LOG.debug("generation {}: plugin {} done", g.generation(), e.getKey());
            } catch (RuntimeException ex) {
                String why = "plugin " + e.getKey() + ": " + PluginHooks.describe(ex);
                LOG.warn("generation {}: {}", g.generation(), why, ex);
                errors.add(why);
            }
        }
    }

    /** The images' directory when they share one, else the coordinator's (see GenerationContext). */
    static Path imageDir(CompletedGeneration g) {
        List<Path> parents = g.images().stream().map(Path::getParent).filter(Objects::nonNull).distinct().toList();
        return parents.size() == 1 ? parents.get(0) : g.ckptDir();
    }

    /** Lets running hooks finish (for a while), then stops the plugin host. Idempotent. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("plugin hooks still running after {} s; stopping without them", CLOSE_WAIT_SECONDS);
                worker.shutdownNow();
                return; // the host is the worker's still; the process is ending anyway
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (host != null) {
            host.close();
        }
    }
}
