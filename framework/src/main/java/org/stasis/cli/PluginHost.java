package org.stasis.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.FrameworkWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stasis.sdk.SdkVersion;
import org.stasis.sdk.StasisPlugin;

/**
 * An embedded OSGi framework (Apache Felix) holding the plugin bundles. Bundles are installed by
 * reference (never copied) from the installation's {@code bundles/} and from {@code --with-plugin}
 * paths, checked and resolved; the caller starts those it needs (launch and restart all of them, to
 * read their options; the coordinator those its processes announce). A broken bundle becomes a
 * {@link PluginProblem} naming its file; the others load regardless.
 *
 * <p>Starting Felix costs a noticeable part of a launch, so callers create a host only when there
 * is a bundle to load or a plugin option to check.
 */
public final class PluginHost implements AutoCloseable {

    public static final String ORIGIN_INSTALLATION = "bundles/";
    public static final String ORIGIN_WITH_PLUGIN = "--with-plugin";


    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);
    private static final Pattern MISSING_PACKAGE = Pattern.compile("osgi\\.wiring\\.package=([^)\\s]+)");
    private static final Pattern MISSING_BUNDLE = Pattern.compile("osgi\\.wiring\\.bundle=([^)\\s]+)");

    private final Framework felix;
    private final Path cache;
    private final Map<String, Loaded> byName = new LinkedHashMap<>();
    private final List<PluginProblem> problems = new ArrayList<>();
    private boolean closed;

    private record Loaded(InstalledPlugin plugin, Bundle bundle) {}

    private PluginHost(Framework felix, Path cache) {
        this.felix = felix;
        this.cache = cache;
    }

    /**
     * Starts an empty framework whose cache is a fresh folder under {@code tmpDir}, removed again
     * by {@link #close()}. The host's own {@code org.stasis.sdk} is the one every bundle wires
     * to, so the services bundles register are {@link StasisPlugin}s to this code.
     */
    public static PluginHost start(Path tmpDir) {
        Path cache;
        try {
            Files.createDirectories(tmpDir);
            cache = Files.createTempDirectory(tmpDir, "stasis-plugins-");
        } catch (IOException e) {
            throw new CliException("cannot create the plugin cache in " + tmpDir + ": "
                    + LocalCoordinatorOps.describe(e));
        }
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                "org.stasis.sdk;version=\"" + SdkVersion.CURRENT + ".0\"");
        // Resolution failures are reported by us, with the file name; Felix's own log would repeat
        // them without it.
        config.put("felix.log.level", "0");
        Framework f = new FrameworkFactory().newFramework(config);
        try {
            f.start();
        } catch (BundleException e) {
            deleteTree(cache);
            throw new CliException("cannot start the plugin framework: " + e.getMessage());
        }
        return new PluginHost(f, cache);
    }

    /**
     * Installs and resolves bundles, in order; failures are recorded, not thrown.
     *
     * @param files jar files or exploded folders
     * @param origin where they were named ({@link #ORIGIN_INSTALLATION} or {@link #ORIGIN_WITH_PLUGIN})
     * @return the plugins that loaded, in order
     */
    public List<InstalledPlugin> install(List<Path> files, String origin) {
        List<Loaded> added = new ArrayList<>();
        for (Path file : files) {
            Path abs = file.toAbsolutePath().normalize();
            try {
                added.add(installOne(abs, origin, added));
            } catch (BundleLoadException e) {
                problems.add(new PluginProblem(abs, origin, abs + ": " + e.getMessage()));
            }
        }
        List<InstalledPlugin> ok = new ArrayList<>();
        FrameworkWiring wiring = felix.adapt(FrameworkWiring.class);
        wiring.resolveBundles(added.stream().map(Loaded::bundle).toList());
        for (Loaded l : added) {
            if (l.bundle().getState() == Bundle.INSTALLED) {
                String why = unresolvedReason(l.bundle());
                problems.add(new PluginProblem(l.plugin().file(), origin, l.plugin().file() + ": " + why));
                uninstallQuietly(l.bundle());
                continue;
            }
            byName.put(l.plugin().name(), l);
            ok.add(l.plugin());
        }
        return ok;
    }

    private Loaded installOne(Path file, String origin, List<Loaded> pending) throws BundleLoadException {
        PluginManifest manifest;
        try {
            manifest = PluginManifest.read(file, origin);
        } catch (PluginManifest.Invalid e) {
            throw new BundleLoadException(e.getMessage());
        }
        InstalledPlugin p = manifest.plugin();
        String name = p.name();
        String bsn = p.symbolicName();
        Loaded other = byName.get(name);
        for (Loaded l : pending) {
            if (other == null && l.plugin().name().equals(name)) {
                other = l;
            }
        }
        if (other != null) {
            throw new BundleLoadException("another plugin named " + name + " is already loaded from "
                    + other.plugin().file());
        }
        Bundle b;
        try {
            b = felix.getBundleContext().installBundle("reference:" + file.toUri());
        } catch (BundleException e) {
            throw new BundleLoadException("cannot install bundle " + bsn + ": " + e.getMessage());
        }
        return new Loaded(p, b);
    }

    /** Why Felix could not resolve a bundle, naming the missing package when that is the cause. */
    private static String unresolvedReason(Bundle b) {
        String detail;
        try {
            // Starting an unresolvable bundle makes Felix explain the failed requirement.
            b.start(Bundle.START_TRANSIENT);
            return "bundle " + b.getSymbolicName() + " did not resolve";
        } catch (BundleException e) {
            detail = e.getMessage() == null ? "" : e.getMessage();
        }
        Matcher pkg = MISSING_PACKAGE.matcher(detail);
        if (pkg.find()) {
            return "bundle " + b.getSymbolicName() + " does not resolve: it imports package " + pkg.group(1)
                    + ", which neither Stasis nor another plugin exports";
        }
        Matcher req = MISSING_BUNDLE.matcher(detail);
        if (req.find()) {
            return "bundle " + b.getSymbolicName() + " does not resolve: it requires bundle " + req.group(1)
                    + ", which is not installed";
        }
        return "bundle " + b.getSymbolicName() + " does not resolve: " + detail;
    }

    /**
     * Starts the bundles of the given plugins (the enabled set). A bundle whose activator fails
     * becomes a problem and is left stopped.
     *
     * @return the plugins that started
     */
    public List<InstalledPlugin> startPlugins(Collection<String> names) {
        List<InstalledPlugin> started = new ArrayList<>();
        for (String name : names) {
            Loaded l = byName.get(name);
            if (l == null) {
                continue;
            }
            try {
                l.bundle().start(Bundle.START_TRANSIENT);
                started.add(l.plugin());
            } catch (BundleException | RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                problems.add(new PluginProblem(l.plugin().file(), l.plugin().origin(), l.plugin().file()
                        + ": plugin " + name + " failed to start: " + LocalCoordinatorOps.describe(cause)));
            }
        }
        return started;
    }

    /** The {@link StasisPlugin} services of started plugins, by plugin name, in plugin order. */
    public Map<String, StasisPlugin> services() {
        Map<String, StasisPlugin> out = new LinkedHashMap<>();
        BundleContext ctx = felix.getBundleContext();
        Collection<ServiceReference<StasisPlugin>> refs;
        try {
            refs = ctx.getServiceReferences(StasisPlugin.class, null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a null filter has no syntax
        }
        for (Loaded l : byName.values()) {
            for (ServiceReference<StasisPlugin> r : refs) {
                if (r.getBundle() != null && r.getBundle().getBundleId() == l.bundle().getBundleId()) {
                    StasisPlugin s = ctx.getService(r);
                    if (s != null) {
                        out.putIfAbsent(l.plugin().name(), s);
                    }
                }
            }
        }
        return out;
    }

    /** The plugins loaded so far, in load order. */
    public List<InstalledPlugin> plugins() {
        return byName.values().stream().map(Loaded::plugin).toList();
    }

    /** The bundles that could not be loaded or started, in the order they were met. */
    public List<PluginProblem> problems() {
        return List.copyOf(problems);
    }

    /** Names of plugins whose bundle is active. */
    public Set<String> active() {
        Set<String> s = new LinkedHashSet<>();
        for (Loaded l : byName.values()) {
            if (l.bundle().getState() == Bundle.ACTIVE) {
                s.add(l.plugin().name());
            }
        }
        return s;
    }

    /** Stops the framework and removes its cache; later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            felix.stop();
            felix.waitForStop(10_000);
        } catch (BundleException e) {
            LOG.debug("stopping the plugin framework", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(cache);
        }
    }

    private static void uninstallQuietly(Bundle b) {
        try {
            b.uninstall();
        } catch (BundleException | RuntimeException e) {
            LOG.debug("uninstalling {}", b.getSymbolicName(), e);
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.debug("removing the plugin cache {}", root, e);
        }
    }

    /** A bundle that cannot be loaded; the message follows "FILE: ". */
    private static final class BundleLoadException extends Exception {
        private static final long serialVersionUID = 1L;

        BundleLoadException(String message) {
            super(message);
        }
    }
}
