package org.stasis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stasis.barrier.Message;
import org.stasis.mtcp.Exec;
import org.stasis.mtcp.ExecException;
import org.stasis.mtcp.Natives;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code dmtcp_launch} / {@code stasis launch}: start a program under checkpoint control. */
@Command(name = "dmtcp_launch",
        customSynopsis = "${COMMAND-FULL-NAME} [OPTIONS] <command> [args...]",
        description = "Start a process under Stasis checkpoint control (replaces itself with the program).",
        sortOptions = false,
        versionProvider = VersionProvider.class,
        footer = {"", "Options after <command> belong to the program. Plugins loaded with --with-plugin or from",
            "the installation add options of their own, listed above under their names.",
            "Exit status: the program's own; 127 if it cannot be found, 126 if it cannot be run,",
            "1 on other errors, 2 on usage errors."})
public class LaunchCommand implements Callable<Integer>, PluginCommand {

    private static final Pattern DISABLE_PLUGIN = Pattern.compile("--disable-([a-z][a-z0-9-]*)-plugin");

    private final CommandPlugins loadedPlugins;

    /** Plugins from the running installation and environment. */
    public LaunchCommand() {
        this(PluginSources.system());
    }

    /** Plugins from {@code sources}. */
    public LaunchCommand(PluginSources sources) {
        this.loadedPlugins = CommandPlugins.of(sources, PluginArgs.WITH_PLUGIN,
                Set.of(PluginManifest.HOOK_OPTIONS, PluginManifest.HOOK_LAUNCH, PluginManifest.HOOK_RESTART_SCRIPT));
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(validate = false, heading = "%nConnecting to the coordinator:%n", order = 1)
    ConnectionOptions connection = new ConnectionOptions();

    @ArgGroup(validate = false, heading = "%nCheckpoint image generation:%n", order = 2)
    ImageOptions image = new ImageOptions();

    @ArgGroup(validate = false, heading = "%nEnable/disable plugins:%n", order = 3)
    PluginOptions plugins = new PluginOptions();

    @ArgGroup(validate = false, heading = "%nOther options:%n", order = 4)
    OtherOptions other = new OtherOptions();

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print version information and exit.")
    boolean version;

    /**
     * Options picocli does not know: only {@code --disable-<name>-plugin} is accepted (any plugin
     * name, so it cannot be a fixed option); anything else is refused in {@link #resolve}.
     */
    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "<command>", description = "The program to run (looked up in PATH).")
    String program;

    @Parameters(index = "1..*", paramLabel = "args", description = "Its arguments.")
    List<String> args = new ArrayList<>();

    /** Checkpoint image options. */
    public static final class ImageOptions {
        @Option(names = "--gzip", negatable = true, order = 1,
                description = "Enable/disable compression of checkpoint images (environment variable "
                    + "DMTCP_GZIP=[01]; default: 1). Stasis compresses with fast parallel LZ4.")
        Boolean gzip;

        @Option(names = "--ckptdir", paramLabel = "PATH", order = 2,
                description = "Directory to store checkpoint images (environment variable DMTCP_CHECKPOINT_DIR; "
                    + "default: current directory at launch)")
        Path ckptDir;

        @Option(names = {"--ckpt-open-files", "--checkpoint-open-files"}, order = 3,
                description = "Checkpoint open files and restore the old working directory (files plugin).")
        boolean ckptOpenFiles;

        @Option(names = "--allow-file-overwrite", order = 4,
                description = "With --ckpt-open-files, allow a saved file to overwrite its existing copy at the "
                    + "original location (default: not allowed)")
        boolean allowFileOverwrite;

        @Option(names = "--save-written-files", paramLabel = "PER_FILE[,TOTAL]", order = 5,
                converter = WrittenFilesLimits.Converter.class,
                description = "Save the files the program has open for writing in each image when each is at most "
                    + "PER_FILE and all at most TOTAL per process, and put them back at restart where they changed "
                    + "(files plugin; environment variable STASIS_SAVE_WRITTEN_FILES; default: 16M,64M; 0: off). "
                    + "Larger files are fingerprinted: a restart that finds one changed in place is refused.")
        WrittenFilesLimits saveWrittenFiles;

        @Option(names = "--ckpt-signal", paramLabel = "signum", order = 6,
                description = "Signal used internally for checkpointing (environment variable DMTCP_SIGCKPT; "
                    + "default: SIGUSR2/12)")
        Integer ckptSignal;
    }

    /** Plugin options: accepted and recorded; the plugin layer acts on them. */
    public static final class PluginOptions {
        @Option(names = "--with-plugin", paramLabel = "PLUGINS", order = 1,
                description = "Colon-separated list of plugins to load (environment variable DMTCP_PLUGIN): "
                    + "bundle names or paths; give it before the options of the plugins it loads")
        String withPlugin;

        @Option(names = {"--batch-queue", "--rm"}, order = 2,
                description = "Enable support for resource managers (Torque PBS and SLURM).")
        boolean batchQueue;

        @Option(names = "--ptrace", order = 3, description = "Enable support for ptrace (gdb, strace, ...).")
        boolean ptrace;

        @Option(names = "--modify-env", order = 4,
                description = "Update environment variables from the restart host's environment "
                    + "(dmtcp_env.txt).")
        boolean modifyEnv;

        @Option(names = "--pathvirt", order = 5, description = "Update file paths based on DMTCP_PATH_PREFIX.")
        boolean pathvirt;

        @Option(names = {"--ib", "--infiniband"}, order = 6, description = "Enable the InfiniBand plugin.")
        boolean infiniband;

        @Option(names = "--disable-alloc-plugin", order = 7,
                description = "Disable the alloc plugin (environment variable DMTCP_ALLOC_PLUGIN=[01]).")
        boolean disableAlloc;

        @Option(names = "--disable-dl-plugin", order = 8,
                description = "Disable the dl plugin (environment variable DMTCP_DL_PLUGIN=[01]).")
        boolean disableDl;

        @Option(names = "--disable-all-plugins", order = 9, description = "Disable all plugins (experts only). Any"
                + " installed plugin can be disabled with --disable-<name>-plugin (see 'stasis plugins').")
        boolean disableAll;

        @Option(names = "--spades", order = 10, description = "Enable support for spades.py.")
        boolean spades;
    }

    /** Other launch options. */
    public static final class OtherOptions {
        @Option(names = "--tmpdir", paramLabel = "PATH", order = 1,
                description = "Directory for temporary files (environment variable DMTCP_TMPDIR; default: "
                    + "$TMPDIR or /tmp)")
        Path tmpdir;

        @Option(names = {"-q", "--quiet"}, order = 2,
                description = "Skip notes; if given twice, also skip warnings (or set DMTCP_QUIET to 0, 1 or 2)")
        boolean[] quiet;

        @Option(names = "--coord-logfile", paramLabel = "PATH", order = 3,
                description = "Log file of a coordinator started by this command (environment variable "
                    + "DMTCP_COORD_LOG_FILENAME)")
        Path coordLogfile;
    }

    @Override
    public CommandPlugins loadedPlugins() {
        return loadedPlugins;
    }

    /** {@code --with-plugin} before the program, else {@code DMTCP_PLUGIN}, as {@link #resolve} decides. */
    @Override
    public List<String> withPluginsBeforeParsing(List<String> args, CommandSpec spec, Env env) {
        String given = PluginArgs.withPlugin(args, spec, true);
        return PluginArgs.entries(given != null ? given : env.get("DMTCP_PLUGIN"));
    }

    /**
     * The plugin flags among the launch options before the program, parsed by a launch parser
     * without plugins (the real parse, later, reports any error).
     */
    @Override
    public PluginFlags flagsBeforeParsing(List<String> args, CommandSpec spec, Env env) {
        List<String> options = PluginArgs.knownOptions(args, spec);
        if (options.isEmpty()) {
            return PluginFlags.NONE;
        }
        try {
            return pluginFlags(options, env, Path.of("").toAbsolutePath());
        } catch (picocli.CommandLine.ParameterException | CliException e) {
            return PluginFlags.NONE;
        }
    }

    /**
     * The plugin flags of {@code dmtcp_launch <options> true}, read by a launch parser that loads
     * no plugins: the one reading of those flags, for launch itself and for {@code stasis plugins}.
     *
     * @throws picocli.CommandLine.ParameterException when {@code options} do not parse
     */
    static PluginFlags pluginFlags(List<String> options, Env env, Path cwd) {
        List<String> args = new ArrayList<>(options);
        args.add("true");
        picocli.CommandLine plain = Cli.build("dmtcp_launch", new PluginSources(null, Env.of(), cwd));
        plain.parseArgs(args.toArray(String[]::new));
        LaunchCommand parsed = plain.getCommand();
        return PluginFlags.of(parsed.resolve(env, cwd));
    }

    /** Resolves options, environment variables and defaults; pure apart from reading nothing. */
    public LaunchOptions resolve(Env env, Path cwd) {
        ImageOptions im = image == null ? new ImageOptions() : image;
        PluginOptions pl = plugins == null ? new PluginOptions() : plugins;
        OtherOptions ot = other == null ? new OtherOptions() : other;

        Boolean gzip = im.gzip != null ? im.gzip : env.flag("DMTCP_GZIP");
        Path ckptDir = im.ckptDir != null ? cwd.resolve(im.ckptDir)
                : env.get("DMTCP_CHECKPOINT_DIR") != null ? cwd.resolve(env.get("DMTCP_CHECKPOINT_DIR")) : cwd;
        ckptDir = ckptDir.toAbsolutePath().normalize();
        Integer sig = im.ckptSignal != null ? im.ckptSignal : env.integer("DMTCP_SIGCKPT");
        int signal = sig == null ? 12 : sig;
        if (signal < 1 || signal > 64 || signal == 9 || signal == 19) {
            throw CliException.usage("invalid checkpoint signal " + signal
                    + " (a signal number from 1 to 64, not SIGKILL or SIGSTOP)");
        }
        List<String> withPlugins = PluginArgs.entries(pl.withPlugin != null ? pl.withPlugin : env.get("DMTCP_PLUGIN"));
        Boolean alloc = env.flag("DMTCP_ALLOC_PLUGIN");
        Boolean dl = env.flag("DMTCP_DL_PLUGIN");

        List<String> disabled = new ArrayList<>();
        for (String u : unmatched) {
            Matcher m = DISABLE_PLUGIN.matcher(u);
            if (!m.matches()) {
                String option = u.contains("=") ? u.substring(0, u.indexOf('=')) : u;
                PluginDecision owner = loadedPlugins.disabledOwner(option).orElse(null);
                if (owner != null) {
                    throw PluginOptionValues.refusal(option, owner);
                }
                // A ParameterException here gets the same one-line message and usage as a parse error.
                throw new UnmatchedArgumentException(spec.commandLine(), List.of(u));
            }
            disabled.add(m.group(1));
        }

        Path tmp = ConnectionOptions.tmpDir(ot.tmpdir, env, cwd);
        Path log = ConnectionOptions.logFile(ot.coordLogfile, env, cwd);
        CoordinatorRequest coord = ConnectionOptions.orDefault(connection).resolve(env, cwd, ckptDir, log, tmp);
        return new LaunchOptions(coord, gzip == null || gzip, ckptDir, im.ckptOpenFiles, im.allowFileOverwrite,
                im.saveWrittenFiles,
                signal, withPlugins, pl.batchQueue, pl.ptrace, pl.modifyEnv, pl.pathvirt, pl.infiniband, pl.spades,
                pl.disableAlloc || Boolean.FALSE.equals(alloc), pl.disableDl || Boolean.FALSE.equals(dl),
                pl.disableAll, disabled, tmp, ConnectionOptions.quiet(ot.quiet, env), log, program,
                args == null ? List.of() : args,
                spec == null ? PluginOptionValues.NONE : loadedPlugins.options().given(spec));
    }

    @Override
    public Integer call() {
        Env env = Env.system();
        Path cwd = Path.of("").toAbsolutePath();
        LaunchOptions o = resolve(env, cwd);
        Path home = Installation.home();
        Natives natives = Installation.natives(home);
        PluginLaunch pluginLaunch = LaunchPlanCache.record(spec, home, env, cwd, o,
                () -> runPluginLaunchHooks(loadedPlugins, env, o));

        PathLookup.Result found = PathLookup.find(o.program(), env.vars().get("PATH"), cwd);
        if (!found.found()) {
            throw new CliException(found.error(), found.exitCode());
        }
        prepareDirectory(o.ckptDir(), "checkpoint directory");

        LocalCoordinatorOps ops = new LocalCoordinatorOps(home);
        CoordinatorSession c = CoordinatorSelector.select(o.coordinator(), Hosts::isLocal, ops);
        Map<String, String> programEnv = ProgramEnvironment.forLaunch(System.getenv(), o, c, natives.agent(),
                pluginLaunch);
        List<String> argv = new ArrayList<>();
        argv.add(o.program());
        argv.addAll(o.args());
        try {
            Exec.exec(found.path(), argv, programEnv);
            throw new CliException("cannot execute " + o.program() + ": execve returned"); // not reached
        } catch (ExecException e) {
            stopIfStarted(ops, c);
            throw new CliException(e.getMessage(), e.errno() == 2 ? 127 : 126);
        }
    }

    /**
     * Loads the plugins, refuses the launch if an enabled one cannot run, and gives the enabled
     * ones their launch hook. The host is closed before the program is executed: nothing of it
     * may survive into the program, and its cache must not outlive the launch.
     */
    static PluginLaunch runPluginLaunchHooks(CommandPlugins loaded, Env env, LaunchOptions o) {
        try (PluginSetup plugins = loaded.setup(env, PluginFlags.of(o), o.withPlugins(), true)) {
            if (o.quiet() < 2) {
                String prog = System.getProperty("stasis.prog", "stasis");
                plugins.enabled().notes().forEach(n -> System.err.println(prog + ": warning: " + n));
            }
            for (PluginProblem p : plugins.problems()) {
                PluginDecision d = plugins.enabled().decision(nameOf(plugins, p));
                if (d != null && d.enabled()) {
                    throw new CliException(p.message());
                }
                if (o.quiet() < 2) {
                    String prog = System.getProperty("stasis.prog", "stasis");
                    System.err.println(prog + ": warning: plugin bundle not loaded: " + p.message());
                }
            }
            if (plugins.plugins().isEmpty()) {
                return PluginLaunch.NONE;
            }
            Map<String, String> javaEnv = PluginHooks.launch(plugins, o.pluginOptions(), o);
            PluginLaunch natives = pluginLaunch(plugins, NativeCode.cacheDir(env, o.tmpDir()));
            Map<String, String> all = new LinkedHashMap<>(javaEnv);
            all.putAll(natives.env());
            return new PluginLaunch(natives.nativeNames(), natives.preloads(), all);
        }
    }

    /** The enabled plugins' native halves, in plugin order, and the variables that name them. */
    static PluginLaunch pluginLaunch(PluginSetup plugins, Path nativeCache) {
        List<String> names = new ArrayList<>();
        List<Path> preloads = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> enabled = new ArrayList<>();
        for (PluginDescriptor d : plugins.enabled().enabled()) {
            enabled.add(d.name());
            InstalledPlugin p = plugins.plugins().stream().filter(x -> x.name().equals(d.name())).findFirst()
                    .orElse(null);
            if (p == null) {
                continue;
            }
            for (Path so : NativeCode.locate(p.file(), p.nativeCode(), nativeCache)) {
                names.add(p.name());
                preloads.add(so);
            }
        }
        if (!enabled.isEmpty()) {
            // recorded in each image's header, for 'stasis inspect' and the restart
            env.put(ProgramEnvironment.ENABLED_PLUGINS, String.join(":", enabled));
        }
        return new PluginLaunch(names, preloads, env);
    }

    /** The plugin a problem belongs to, when it loaded but failed to start; null otherwise. */
    private static String nameOf(PluginSetup plugins, PluginProblem p) {
        return plugins.plugins().stream().filter(x -> x.file().equals(p.file())).map(InstalledPlugin::name)
                .findFirst().orElse(null);
    }

    /** Creates the directory if needed; it must end up a writable directory. */
    static void prepareDirectory(Path dir, String what) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException("cannot create the " + what + " " + dir + ": " + LocalCoordinatorOps.describe(e));
        }
        if (!Files.isWritable(dir)) {
            throw new CliException("the " + what + " " + dir + " is not writable");
        }
    }

    /** A coordinator we started for a program that never ran would wait forever: stop it. */
    static void stopIfStarted(CoordinatorOps ops, CoordinatorSession c) {
        if (!c.started()) {
            return;
        }
        try {
            ops.command("localhost", c.port(), c.secret(), Message.builder("COMMAND").put("verb", "quit").build());
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }
}
