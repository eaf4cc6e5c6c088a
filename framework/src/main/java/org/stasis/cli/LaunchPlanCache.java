package org.stasis.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stasis.mtcp.NativeText;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Caches the outcome of a launch's plugin resolution as a {@link LaunchPlan}, so that
 * {@code stasis-fastlaunch} can do the next launches of the same request without a JVM while
 * nothing that outcome depends on has changed (docs/architecture.md, "Fast launch").
 *
 * <p>No plan is written, and the fast path keeps handing such launches to Java, when:
 * <ul>
 *   <li>an installed or {@code --with-plugin} bundle declares {@value #LAUNCH_HOOK_HEADER}:
 *       {@value #EVERY_LAUNCH} (its {@code onLaunch} must see every launch);</li>
 *   <li>an input changed within {@link #RACY} of this launch's start: a second change within the
 *       file system's timestamp granularity could then go unseen (the plan is made next time);</li>
 *   <li>there is no private cache directory ({@code $XDG_CACHE_HOME/stasis} or
 *       {@code $HOME/.cache/stasis}, ours alone), or anything else goes wrong: a plan is only an
 *       optimisation, so failures are logged at debug level and the launch goes on.</li>
 * </ul>
 */
public final class LaunchPlanCache {

    /** Manifest header of a plugin bundle whose {@code onLaunch} must run at every launch. */
    public static final String LAUNCH_HOOK_HEADER = "Stasis-Launch-Hook";
    public static final String EVERY_LAUNCH = "every-launch";
    /** Inputs younger than this (to the launch's start) make no plan. */
    static final Duration RACY = Duration.ofSeconds(2);

    /**
     * Launch options that do not reach plugin resolution (the fast path resolves them itself).
     * Every other option given is part of the request, so an option added later (a plugin's own,
     * say) keeps plans apart without anyone having to remember this list.
     */
    static final Set<String> NOT_PLUGIN_OPTIONS = Set.of("--coord-host", "--coord-port", "--port-file",
            "--join-coordinator", "--new-coordinator", "--any-coordinator", "--no-coordinator", "--interval", "--gzip",
            "--ckptdir", "--ckpt-signal", "--tmpdir", "--quiet", "--coord-logfile", "--help", "--version");

    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private LaunchPlanCache() {}

    private static Logger log() {
        return LoggerFactory.getLogger(LaunchPlanCache.class);
    }

    /** Why a launch makes no plan; not an error. */
    static final class NotCacheable extends Exception {
        private static final long serialVersionUID = 1L;

        NotCacheable(String message) {
            super(message);
        }
    }

    /**
     * Runs the plugins' launch hooks and caches their outcome as this launch's plan. What the hooks
     * print to stderr passes through unchanged; the warnings among it are recorded so that the
     * fast path prints the same.
     *
     * @param spec the launch command's spec (for the options given)
     * @param hooks {@link LaunchCommand#runPluginLaunchHooks}
     * @return what the hooks returned
     */
    public static PluginLaunch record(CommandSpec spec, Path home, Env env, Path cwd, LaunchOptions o,
            Supplier<PluginLaunch> hooks) {
        return record(spec, home, env, cwd, o, hooks, ProcStat.selfStart());
    }

    static PluginLaunch record(CommandSpec spec, Path home, Env env, Path cwd, LaunchOptions o,
            Supplier<PluginLaunch> hooks, Instant started) {
        String prog = System.getProperty("stasis.prog", "stasis");
        PluginLaunch result;
        List<byte[]> warnings;
        try (StderrCopy copy = new StderrCopy()) {
            result = hooks.get();
            warnings = copy.lines(prog + ": warning: ");
        }
        try {
            ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
            if (parsed == null) {
                throw new NotCacheable("the options given are not known");
            }
            Path file = write(cacheDir(env), home, env, cwd, o, pluginOptions(parsed), o.quiet() >= 2 ? null : warnings,
                    result, started);
            log().debug("launch plan cached in {}", file);
        } catch (NotCacheable e) {
            log().debug("no launch plan cached: {}", e.getMessage());
        } catch (IOException | RuntimeException e) {
            log().debug("no launch plan cached: {}", LocalCoordinatorOps.describe(e), e);
        }
        return result;
    }

    /**
     * The plugin-related options of a parse, as the request records them: longest name, and
     * {@code =value} unless the option is a flag that was set.
     */
    static List<String> pluginOptions(ParseResult parsed) {
        List<String> out = new ArrayList<>();
        for (OptionSpec opt : parsed.matchedOptions()) {
            String name = opt.longestName();
            if (NOT_PLUGIN_OPTIONS.contains(name)) {
                continue;
            }
            Object v = opt.getValue();
            if (Boolean.TRUE.equals(v)) {
                out.add(name);
            } else if (v != null && v.getClass().isArray()) {
                out.add(name + "=" + Arrays.deepToString(new Object[] {v}));
            } else {
                out.add(name + "=" + v);
            }
        }
        return out;
    }

    /**
     * Plans kept per user: each distinct launch request has one, so a user who launches many
     * different things would otherwise fill the cache for ever. The oldest go first; one needed
     * again is simply made again by the next launch of its kind.
     */
    static final int MAX_PLANS = 64;

    /** Leftovers of a launch that died between creating its temporary file and moving it. */
    private static final Duration STALE_TEMPORARY = Duration.ofHours(1);

    /** Deletes the oldest plans beyond {@code max} (never {@code keep}) and stale temporary files. */
    static void prune(Path dir, Path keep, int max) {
        List<Path> plans = new ArrayList<>();
        Instant staleBefore = Instant.now().minus(STALE_TEMPORARY);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("launch-") && name.endsWith(".plan") && !f.equals(keep)) {
                    plans.add(f);
                } else if (name.startsWith(".launch-") && name.endsWith(".tmp")
                        && modified(f).toInstant().isBefore(staleBefore)) {
                    Files.deleteIfExists(f);
                }
            }
            if (plans.size() < max) {
                return;
            }
            plans.sort((a, b) -> modified(b).compareTo(modified(a)));
            for (Path old : plans.subList(max - 1, plans.size())) {
                Files.deleteIfExists(old);
            }
        } catch (IOException | RuntimeException e) {
            log().debug("launch plans not pruned: {}", LocalCoordinatorOps.describe(e));
        }
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0); // gone meanwhile: oldest, and deleting it is a no-op
        }
    }

    /** {@code $XDG_CACHE_HOME/stasis}, else {@code $HOME/.cache/stasis}; null without an absolute one. */
    static Path cacheDir(Env env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg, "stasis");
        }
        String home = env.get("HOME");
        if (home != null && home.startsWith("/")) {
            return Path.of(home, ".cache", "stasis");
        }
        return null;
    }

    /** Builds the plan and writes it atomically into {@code dir}; returns the file. */
    static Path write(Path dir, Path home, Env env, Path cwd, LaunchOptions o, List<String> pluginOptions,
            List<byte[]> warnings, PluginLaunch result, Instant started) throws IOException, NotCacheable {
        if (dir == null) {
            throw new NotCacheable("neither XDG_CACHE_HOME nor HOME names an absolute directory");
        }
        LaunchPlan plan = plan(home, env, cwd, o, pluginOptions, warnings, result, started);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
        Path tmp = Files.createTempFile(dir, ".launch-", ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
        try {
            // The fast path preloads and sets what a plan says: a directory someone else can
            // write to, or that is not ours, must not hold one. Our new file shows who we are.
            Object us = Files.getAttribute(tmp, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!us.equals(owner) || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE)
                    || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new NotCacheable("the cache directory " + dir + " is not ours alone");
            }
            Files.writeString(tmp, plan.text(), StandardCharsets.US_ASCII);
            Path file = dir.resolve(plan.fileName());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new NotCacheable("the cache directory " + dir + " cannot replace files atomically");
            }
            prune(dir, file, MAX_PLANS);
            return file;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The plan of this launch: its request, the state of everything resolution read, the result. */
    static LaunchPlan plan(Path home, Env env, Path cwd, LaunchOptions o, List<String> pluginOptions,
            List<byte[]> warnings, PluginLaunch result, Instant started) throws IOException, NotCacheable {
        PluginSetup.WithPlugins with = PluginSetup.WithPlugins.classify(o.withPlugins(), cwd);
        String config = env.get(SiteConfig.ENV);
        Path site = config == null ? null : Path.of(config).toAbsolutePath().normalize();
        Map<String, byte[]> variables = new LinkedHashMap<>();
        env.vars().forEach((k, v) -> {
            if (LaunchPlan.isPluginVariable(k)) {
                variables.put(k, NativeText.environmentEntry(k, v));
            }
        });
        List<String> request = LaunchPlan.request(home, pluginOptions, o.disabledPlugins(), variables, with, site);

        Path bundlesDir = Installation.bundles(home);
        List<Path> bundles = new ArrayList<>(PluginCatalog.installationBundles(bundlesDir));
        bundles.addAll(with.paths());
        for (Path b : bundles) {
            requireNoEveryLaunchHook(b);
        }

        // Everything plugin resolution depends on: our own code, the bundles (every file of a
        // folder bundle), the directory that lists them, the site files, what it preloads.
        Set<Path> inputs = new LinkedHashSet<>();
        inputs.add(home.resolve("lib"));
        inputs.add(codeLocation());
        inputs.add(bundlesDir);
        for (Path b : bundles) {
            inputs.add(b);
            if (Files.isDirectory(b)) {
                try (Stream<Path> all = Files.walk(b, FileVisitOption.FOLLOW_LINKS)) {
                    all.forEach(inputs::add);
                } catch (FileSystemLoopException e) {
                    throw new NotCacheable("the bundle folder " + b + " links into itself");
                }
            }
        }
        inputs.add(home.resolve("etc").resolve("stasis.conf"));
        if (site != null) {
            inputs.add(site);
        }
        inputs.addAll(result.preloads());

        long racySince = TimeUnit.MILLISECONDS.toNanos(started.minus(RACY).toEpochMilli());
        List<String> state = new ArrayList<>();
        for (Path p : inputs) {
            LaunchPlan.FileState s = fileState(p);
            if (s == null) {
                state.add(LaunchPlan.absent(p));
                continue;
            }
            if (s.mtimeNanos() >= racySince || s.ctimeNanos() >= racySince) {
                throw new NotCacheable(p + " changed less than " + RACY.toSeconds() + " s before this launch began");
            }
            state.add(s.line());
        }
        return new LaunchPlan(request, state, LaunchPlan.result(warnings, result));
    }

    /** stat(2) of a file, following links; null if it cannot be examined. */
    static LaunchPlan.FileState fileState(Path p) {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:size,lastModifiedTime,ctime,ino,isRegularFile,isDirectory");
        } catch (IOException e) {
            return null;
        }
        char kind = Boolean.TRUE.equals(a.get("isRegularFile")) ? 'f' : Boolean.TRUE.equals(a.get("isDirectory")) ? 'd' : 'o';
        return new LaunchPlan.FileState(p, kind, (Long) a.get("size"), nanos(a.get("lastModifiedTime")),
                nanos(a.get("ctime")), (Long) a.get("ino"));
    }

    private static long nanos(Object fileTime) {
        return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
    }

    /** The jar (or classes folder) of the front end, so that an upgrade in place makes new plans. */
    private static Path codeLocation() throws NotCacheable {
        try {
            return Path.of(LaunchPlanCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new NotCacheable("cannot tell where the front end's code is");
        }
    }

    private static void requireNoEveryLaunchHook(Path bundle) throws NotCacheable {
        String hook;
        try {
            Attributes main = BundleManifest.read(bundle);
            hook = main == null ? null : main.getValue(LAUNCH_HOOK_HEADER);
        } catch (IOException e) {
            return; // not a bundle that loads: nothing of it runs
        }
        if (hook != null) {
            throw new NotCacheable(EVERY_LAUNCH.equalsIgnoreCase(hook.trim())
                    ? "the plugin bundle " + bundle + " asks for its launch hook at every launch"
                    : "the plugin bundle " + bundle + " has an unknown " + LAUNCH_HOOK_HEADER + " '" + hook.trim() + "'");
        }
    }

    /**
     * While open, System.err writes through to the real stderr byte for byte and is also kept, so
     * that what the launch hooks printed can be replayed exactly by the fast path.
     */
    private static final class StderrCopy implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private final Charset charset = stderrCharset();
        private final PrintStream tee;

        StderrCopy() {
            tee = new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    original.write(b);
                    copy.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    original.write(b, off, len);
                    copy.write(b, off, len);
                }

                @Override
                public void flush() {
                    original.flush();
                }
            }, true, charset);
            System.setErr(tee);
        }

        /** The rest of every complete line that starts with {@code prefix}, in order. */
        List<byte[]> lines(String prefix) {
            tee.flush();
            byte[] all = copy.toByteArray();
            byte[] p = prefix.getBytes(charset);
            List<byte[]> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < all.length; i++) {
                if (all[i] != '\n') {
                    continue;
                }
                if (i - start >= p.length && Arrays.equals(all, start, start + p.length, p, 0, p.length)) {
                    out.add(Arrays.copyOfRange(all, start + p.length, i));
                }
                start = i + 1;
            }
            return out;
        }

        @Override
        public void close() {
            tee.flush();
            System.setErr(original);
        }

        /** The charset System.err was made with (java.lang.System.newPrintStream). */
        private static Charset stderrCharset() {
            String name = System.getProperty("sun.stderr.encoding");
            try {
                return name == null ? Charset.defaultCharset() : Charset.forName(name);
            } catch (RuntimeException e) {
                return Charset.defaultCharset();
            }
        }
    }
}
