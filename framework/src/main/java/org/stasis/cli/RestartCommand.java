package org.stasis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Stream;
import org.stasis.barrier.Message;
import org.stasis.barrier.RestartRefusal;
import org.stasis.barrier.ScriptEnvironment;
import org.stasis.mtcp.Exec;
import org.stasis.mtcp.ExecException;
import org.stasis.mtcp.ImageException;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;
import org.stasis.mtcp.ImageValidator;
import org.stasis.mtcp.Natives;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dmtcp_restart} / {@code stasis restart}: restart a process from its checkpoint image. */
@Command(name = "dmtcp_restart",
        customSynopsis = "${COMMAND-FULL-NAME} [OPTIONS] <ckpt1.dmtcp> [ckpt2.dmtcp...]",
        description = {"Restart processes from their checkpoint images.",
            "All images given are restarted together, by one restorer that recreates their process",
            "tree; they must be of the same computation and the same checkpoint generation (as the",
            "images a restart script names are). Given fewer images than the computation had processes,",
            "the restarted ones wait for the others (restarted by another dmtcp_restart, say on another",
            "host) and are refused, exit status 3, when none comes in time: 1 s when the missing images",
            "are beside the given ones and no other restart command on this host names them, else 30 s",
            "(always 30 s with STASIS_RESTART_OTHERS_ELSEWHERE=1, which the restart script sets for its",
            "per-host commands). Every image is checked first; a truncated, corrupt,",
            "foreign or too new image is refused before anything is started. Plugins are enabled as",
            "for a launch (installation, site configuration, environment), plus the bundles the",
            "launch was given with --with-plugin (which the restart script passes on in",
            "STASIS_PLUGIN_BUNDLES)."},
        sortOptions = false,
        versionProvider = VersionProvider.class)
public class RestartCommand implements Callable<Integer>, PluginCommand {

    /** Bundles a launch was given; the restart script exports it. */
    static final String BUNDLES_ENV = ScriptEnvironment.BUNDLES_VARIABLE;

    private final CommandPlugins loadedPlugins;

    @Spec
    CommandSpec spec;

    @ArgGroup(validate = false, heading = "%nConnecting to the coordinator:%n", order = 1)
    ConnectionOptions connection = new ConnectionOptions();

    @ArgGroup(validate = false, heading = "%nPlugins:%n", order = 2)
    PluginOptions plugins = new PluginOptions();

    @ArgGroup(validate = false, heading = "%nOther options:%n", order = 3)
    OtherOptions other = new OtherOptions();

    /** Plugins from the running installation and environment. */
    public RestartCommand() {
        this(PluginSources.system());
    }

    /** Plugins from {@code sources}. */
    public RestartCommand(PluginSources sources) {
        this.loadedPlugins = CommandPlugins.of(sources, PluginArgs.WITH_PLUGIN + " or " + BUNDLES_ENV,
                Set.of(PluginManifest.HOOK_OPTIONS, PluginManifest.HOOK_RESTART));
    }

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print version information and exit.")
    boolean version;

    @Parameters(arity = "1..*", paramLabel = "<ckpt.dmtcp>",
            description = "Checkpoint images to restart, all of one computation and generation.")
    List<Path> images = new ArrayList<>();

    /** Which plugins to load besides the installation's. */
    public static final class PluginOptions {
        @Option(names = "--with-plugin", paramLabel = "PLUGINS", order = 1,
                description = "Colon-separated plugin bundles (paths) or names to load, as given to the launch; "
                    + "the bundles in environment variable " + BUNDLES_ENV + " are loaded too. Give it before "
                    + "the options of the plugins it loads.")
        String withPlugin;
    }

    /** Other restart options. */
    public static final class OtherOptions {
        @Option(names = "--no-strict-checking", order = 1,
                description = "Allow restarting an image checkpointed by another user (environment variable "
                    + "DMTCP_DISABLE_STRICT_CHECKING)")
        boolean noStrictChecking;

        @Option(names = "--ckptdir", paramLabel = "PATH", order = 2,
                description = "Directory to store later checkpoint images (environment variable "
                    + "DMTCP_CHECKPOINT_DIR; default: the directory of the previous checkpoint)")
        Path ckptDir;

        @Option(names = "--tmpdir", paramLabel = "PATH", order = 3,
                description = "Directory for temporary files (environment variable DMTCP_TMPDIR; default: "
                    + "$TMPDIR or /tmp)")
        Path tmpdir;

        @Option(names = {"-q", "--quiet"}, order = 4,
                description = "Skip notes; if given twice, also skip warnings (or set DMTCP_QUIET to 0, 1 or 2)")
        boolean[] quiet;

        @Option(names = "--coord-logfile", paramLabel = "PATH", order = 5,
                description = "Log file of a coordinator started by this command (environment variable "
                    + "DMTCP_COORD_LOG_FILENAME)")
        Path coordLogfile;

        @Option(names = "--debug-restart-pause", order = 6,
                description = "Pause early in the restorer so that a debugger can attach (or set "
                    + "DMTCP_RESTART_PAUSE=1..4)")
        boolean debugRestartPause;
    }

    @Override
    public CommandPlugins loadedPlugins() {
        return loadedPlugins;
    }

    @Override
    public List<String> withPluginsBeforeParsing(List<String> args, CommandSpec spec, Env env) {
        return withPlugins(PluginArgs.withPlugin(args, spec, false), env);
    }

    /** {@code --with-plugin} entries, then those of {@code STASIS_PLUGIN_BUNDLES} not among them. */
    static List<String> withPlugins(String option, Env env) {
        List<String> all = new ArrayList<>(PluginArgs.entries(option));
        PluginArgs.entries(env.get(BUNDLES_ENV)).stream().filter(e -> !all.contains(e)).forEach(all::add);
        return all;
    }

    public RestartOptions resolve(Env env, Path cwd) {
        OtherOptions ot = other == null ? new OtherOptions() : other;
        PluginOptions pl = plugins == null ? new PluginOptions() : plugins;
        List<Path> abs = new ArrayList<>();
        for (Path p : images) {
            abs.add(cwd.resolve(p).toAbsolutePath().normalize());
        }
        Boolean disableStrict = env.isSet("DMTCP_DISABLE_STRICT_CHECKING") ? Boolean.TRUE : null;
        if (disableStrict != null && "0".equals(env.get("DMTCP_DISABLE_STRICT_CHECKING"))) {
            disableStrict = Boolean.FALSE;
        }
        boolean strict = !(ot.noStrictChecking || Boolean.TRUE.equals(disableStrict));
        Path ckptDir = ot.ckptDir != null ? cwd.resolve(ot.ckptDir)
                : env.get("DMTCP_CHECKPOINT_DIR") != null ? cwd.resolve(env.get("DMTCP_CHECKPOINT_DIR")) : null;
        if (ckptDir != null) {
            ckptDir = ckptDir.toAbsolutePath().normalize();
        }
        Path forNew = ckptDir != null ? ckptDir : abs.isEmpty() ? cwd : abs.get(0).getParent();
        int pause = ot.debugRestartPause ? 1 : 0;
        if (pause == 0) {
            Integer p = env.integer("DMTCP_RESTART_PAUSE");
            pause = p == null ? 0 : Math.max(0, Math.min(p, 4));
        }
        Path tmp = ConnectionOptions.tmpDir(ot.tmpdir, env, cwd);
        Path log = ConnectionOptions.logFile(ot.coordLogfile, env, cwd);
        CoordinatorRequest coord = ConnectionOptions.orDefault(connection).resolve(env, cwd, forNew, log, tmp);
        return new RestartOptions(coord, abs, strict, ckptDir, tmp, ConnectionOptions.quiet(ot.quiet, env), log, pause,
                withPlugins(pl.withPlugin, env),
                spec == null ? PluginOptionValues.NONE : loadedPlugins.options().given(spec));
    }

    /** Validates every image; the first bad one is refused with the validator's words. */
    static List<ImageSummary> validate(List<Path> images) {
        List<ImageSummary> out = new ArrayList<>();
        for (Path p : images) {
            try {
                out.add(ImageValidator.validate(p, false));
            } catch (ImageException e) {
                throw new CliException(e.getMessage());
            }
        }
        return out;
    }

    /** Refuses another user's image unless strict checking is off. */
    static void checkOwner(ImageSummary s, long currentUid, boolean strict) {
        ImageHeader h = s.header();
        if (!strict || h.uidUnsigned() == currentUid) {
            return;
        }
        throw new CliException(s.file() + " was checkpointed by uid " + h.uidUnsigned() + " (" + userName(h.uidUnsigned())
                + "), but you are uid " + currentUid + " (" + userName(currentUid) + "); restart it as its owner, or"
                + " use --no-strict-checking (or DMTCP_DISABLE_STRICT_CHECKING=1) to restart it anyway");
    }

    /**
     * Refuses images that cannot be restarted together: one restorer brings back one tree of one
     * checkpoint, so every image must carry the first one's computation and generation, and no
     * process may come back twice (the coordinator would refuse the second anyway, but only
     * after the restorer had started both).
     */
    static void checkTogether(List<ImageSummary> summaries) {
        ImageSummary first = summaries.get(0);
        ImageHeader h0 = first.header();
        for (int i = 1; i < summaries.size(); i++) {
            ImageSummary other = summaries.get(i);
            ImageHeader h = other.header();
            for (int j = 0; j < i; j++) {
                ImageSummary earlier = summaries.get(j);
                if (earlier.file().equals(other.file())) {
                    throw new CliException(other.file() + " is given twice; give each image once");
                }
                if (earlier.header().upid().equals(h.upid())) {
                    throw new CliException(earlier.file() + " and " + other.file() + " are images of the same process"
                            + " (upid " + h.upid() + "); give one image per process");
                }
            }
            if (!h0.compid().equals(h.compid())) {
                throw new CliException(first.file() + " and " + other.file() + " belong to different computations ("
                        + describeCompid(h0.compid()) + " and " + describeCompid(h.compid()) + "); one dmtcp_restart"
                        + " restarts the images of one computation: run it once for each");
            }
            if (h0.generation() != h.generation()) {
                throw new CliException(first.file() + " and " + other.file() + " are of different checkpoints of"
                        + " computation " + h0.compid() + " (generation " + h0.generation() + " and generation "
                        + h.generation() + "); restart the images of one generation together, such as those its"
                        + " restart script names");
            }
        }
    }

    private static String describeCompid(String compid) {
        return compid.isEmpty() ? "none recorded" : compid;
    }

    /** Each name once, in order of first appearance across the images. */
    static List<String> union(List<ImageSummary> summaries, Function<ImageHeader, List<String>> field) {
        Set<String> all = new LinkedHashSet<>();
        summaries.forEach(s -> all.addAll(field.apply(s.header())));
        return List.copyOf(all);
    }

    @Override
    public Integer call() {
        Env env = Env.system();
        Path cwd = Path.of("").toAbsolutePath();
        RestartOptions o = resolve(env, cwd);
        List<ImageSummary> summaries = validate(o.images());
        long uid = currentUid();
        summaries.forEach(s -> checkOwner(s, uid, o.strictChecking()));
        checkTogether(summaries);
        Path home = Installation.home();
        Natives natives = Installation.natives(home);
        if (o.ckptDir() != null) {
            LaunchCommand.prepareDirectory(o.ckptDir(), "checkpoint directory");
        }
        PartialRestart partial = PartialRestart.of(summaries, imagesBeside(summaries));
        if (partial != null && "1".equals(env.get(PartialRestart.OTHERS_ELSEWHERE_ENV))) {
            partial = partial.restartedElsewhere();
        }
        LocalCoordinatorOps ops = new LocalCoordinatorOps(home);
        // Forgotten images: refused here, before any plugin hook, coordinator or restorer runs,
        // unless another restart of the computation is under way (separate commands): one the
        // coordinator knows of, or another command on this host naming the missing images, looked
        // for meanwhile (a JVM started together with this one may reach the coordinator seconds
        // later on a loaded machine).
        boolean announced = false;
        if (partial != null && partial.allFound()) {
            Set<String> missing = partial.foundFileNames();
            CompletableFuture<Boolean> sibling = CompletableFuture.supplyAsync(() -> SiblingRestarts.nameAny(missing));
            try {
                announced = refuseUnlessAnotherRestart(ops, o.coordinator(), partial, summaries);
            } catch (CliException refused) {
                if (refused.exitCode() != REFUSED || !sibling.join()) {
                    throw refused;
                }
                partial = partial.restartedElsewhere();
            }
        }

        List<String> disabled = runPluginRestartHooks(loadedPlugins, env, o, union(summaries, ImageHeader::plugins),
                union(summaries, ImageHeader::bundles));

        CoordinatorSession c = CoordinatorSelector.select(o.coordinator(), Hosts::isLocal, ops);
        if (partial != null && !announced) {
            expectRestart(ops, c, partial, summaries.get(0).file().getParent(), o.quiet());
        }
        Map<String, String> env2 = ProgramEnvironment.forRestart(System.getenv(), o, c, disabled);
        List<String> argv = Stream.concat(Stream.of(natives.restorer().toString()),
                summaries.stream().map(s -> s.file().toString())).toList();
        try {
            Exec.exec(natives.restorer(), argv, env2);
            throw new CliException("cannot execute " + natives.restorer() + ": execve returned"); // not reached
        } catch (ExecException e) {
            LaunchCommand.stopIfStarted(ops, c);
            throw new CliException(e.getMessage());
        }
    }

    /**
     * Headers of the other images ({@code *.dmtcp}) in the directories of the given ones; files
     * that are no readable image are skipped (the restart only uses them to name the missing).
     */
    static Map<Path, ImageHeader> imagesBeside(List<ImageSummary> given) {
        Map<Path, ImageHeader> out = new java.util.TreeMap<>();
        Set<Path> dirs = new LinkedHashSet<>();
        given.forEach(s -> dirs.add(s.file().getParent()));
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(".dmtcp")).limit(10_000).forEach(f -> {
                    try {
                        if (Files.isRegularFile(f)) {
                            out.put(f, ImageValidator.readHeader(f));
                        }
                    } catch (ImageException | RuntimeException e) {
                        // not an image we can read: not one of the missing
                    }
                });
            } catch (IOException | RuntimeException e) {
                // an unreadable directory: the missing ones are then not named
            }
        }
        return out;
    }

    /**
     * A restart of some images whose missing peers' images lie beside them (most likely
     * forgotten): refused at once, with the coordinator's words, when no other restart of the
     * computation is under way. Without a coordinator at the requested address no other can be
     * (and none is started); with one, it is asked ({@code restart-expect} with {@code hold_ms},
     * protocol.md), which also gives it this command's word, and holds the answer up to
     * {@link PartialRestart#holdMillis} (until 0.7 s after this command started, at least
     * 0.25 s) for another command started together to announce itself. Returns whether the coordinator has this command's word (the restart goes on);
     * false when it could not be asked, so the word is given later as before.
     */
    static boolean refuseUnlessAnotherRestart(CoordinatorOps ops, CoordinatorRequest r, PartialRestart p,
            List<ImageSummary> given) {
        Path dir = given.get(0).file().getParent();
        List<String> present = given.stream()
                .map(s -> s.header().program() + " (" + s.file().getFileName() + ")").toList();
        CoordinatorSelector.Decision d = CoordinatorSelector.decide(r, Hosts::isLocal, ops);
        if (!(d instanceof CoordinatorSelector.Join j)) {
            throw new CliException(RestartRefusal.text(p.compid(), p.generation(), p.expected(), present,
                    "no coordinator runs at " + r.endpoint() + " for another restart of it to join",
                    p.missingDescription(dir)), REFUSED);
        }
        Message m = Message.builder("COMMAND").put("verb", "restart-expect").put("compid", p.compid())
                .put("generation", p.generation()).put("wait_ms", p.waitMillis())
                .put("missing", p.missingDescription(dir)).put("hold_ms", PartialRestart.holdMillis(sinceStartMillis())).build();
        Message answer;
        try {
            answer = ops.command(j.host(), j.port(), ops.secret(j.host(), j.port(), false), m);
        } catch (IOException | CliException e) {
            return false; // the coordinator decides, as before
        }
        if (!answer.isOk()) {
            return false;
        }
        if ("0".equals(answer.get("others", ""))) {
            throw new CliException(RestartRefusal.text(p.compid(), p.generation(), p.expected(), present,
                    "no other restart of it is under way at the coordinator at " + r.endpoint(),
                    p.missingDescription(dir)), REFUSED);
        }
        return true; // another restart is under way, or a coordinator that does not answer others= took the word
    }

    /** Milliseconds since this process started (the front-end script execs the JVM in place). */
    static long sinceStartMillis() {
        return java.time.Duration.between(ProcStat.selfStart(), java.time.Instant.now()).toMillis();
    }

    /** The exit status of a refused restart, as when the coordinator refuses it (the agent's). */
    static final int REFUSED = 3;

    /**
     * Tells the coordinator how long to wait for the processes not given and what they are
     * (see {@link PartialRestart}). Without it the coordinator still gives up, after its default.
     */
    static void expectRestart(CoordinatorOps ops, CoordinatorSession c, PartialRestart p, Path dir, int quiet) {
        Message m = Message.builder("COMMAND").put("verb", "restart-expect").put("compid", p.compid())
                .put("generation", p.generation()).put("wait_ms", p.waitMillis())
                .put("missing", p.missingDescription(dir)).build();
        try {
            Message r = ops.command(c.host(), c.port(), c.secret(), m);
            if (!r.isOk() && quiet < 2) {
                System.err.println(System.getProperty("stasis.prog", "stasis") + ": warning: the coordinator did not"
                        + " take the restart's details: " + r.get("error", "no reason given"));
            }
        } catch (IOException e) {
            if (quiet < 2) {
                System.err.println(System.getProperty("stasis.prog", "stasis") + ": warning: cannot tell the"
                        + " coordinator about the missing images: " + e.getMessage());
            }
        }
    }

    /**
     * Loads the plugins, refuses the restart if an enabled one cannot run, and gives the enabled
     * ones their restart hook. The host is closed before the restorer is executed, as for a
     * launch.
     */
    static List<String> runPluginRestartHooks(CommandPlugins loaded, Env env, RestartOptions o,
            List<String> imagePlugins, List<String> imageBundles) {
        // The launch's --with-plugin bundles, recorded in the image, for a restart without the
        // restart script's STASIS_PLUGIN_BUNDLES (or --with-plugin) naming them again.
        List<String> with = new ArrayList<>(o.withPlugins());
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> given = with.stream().map(w -> cwd.resolve(w).normalize()).toList();
        imageBundles.stream().filter(b -> !given.contains(Path.of(b).normalize()) && Files.exists(Path.of(b)))
                .forEach(with::add);
        try (PluginSetup plugins = loaded.setup(env, imagePlugins, PluginFlags.NONE, with, true)) {
            PluginHooks.reportProblems(plugins, o.quiet(), System.err);
            List<PluginDecision> off = RestartDisabled.of(imagePlugins, plugins.enabled());
            if (o.quiet() < 2) {
                String prog = System.getProperty("stasis.prog", "stasis");
                off.forEach(d -> System.err.println(prog + ": warning: " + RestartDisabled.warning(d)));
            }
            PluginHooks.restart(plugins, o.pluginOptions(), o.images(), o.coordinator().ckptDir());
            return off.stream().map(PluginDecision::name).toList();
        }
    }

    /** Our uid: the owner of /proc/self. */
    static long currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return ((Number) uid).longValue();
        } catch (IOException | RuntimeException e) {
            throw new CliException("cannot determine the current user id: " + e.getMessage());
        }
    }

    /** The user name of a uid from /etc/passwd, or "unknown user". */
    static String userName(long uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].equals(Long.toString(uid))) {
                    return f[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown user";
    }
}
