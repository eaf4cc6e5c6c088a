package org.stasis.cli;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.stasis.barrier.CheckpointResult;
import org.stasis.barrier.Coordinator;
import org.stasis.barrier.CoordinatorConfig;
import org.stasis.barrier.CoordinatorStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dmtcp_coordinator} / {@code stasis coordinator}: the coordinator of one computation. */
@Command(name = "dmtcp_coordinator",
        customSynopsis = "${COMMAND-FULL-NAME} [OPTIONS] [port]",
        description = "Coordinates checkpoints between multiple processes.",
        sortOptions = false,
        versionProvider = VersionProvider.class,
        footer = {"", "COMMANDS:", "      type '?<return>' at runtime for list"})
public class CoordinatorCommand implements Callable<Integer> {

    /** Set by the bin/ script for --daemon: where to report "ready PORT" or "error MESSAGE". */
    public static final String READY_FILE_ENV = "STASIS_READY_FILE";

    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--coord-port"}, paramLabel = "PORT_NUM", order = 1,
            description = "Port to listen on (environment variable DMTCP_COORD_PORT; default: 7779; 0 picks "
                + "a random port)")
    Integer port;

    @Option(names = "--port-file", paramLabel = "filename", order = 2,
            description = "File to write the listener port number to. (Useful with '--coord-port 0', which "
                + "is used to assign a random port)")
    Path portFile;

    @Option(names = "--ckptdir", paramLabel = "PATH", order = 3,
            description = "Directory to store dmtcp_restart_script.sh (environment variable "
                + "DMTCP_CHECKPOINT_DIR; default: ./)")
    Path ckptDir;

    @Option(names = "--tmpdir", paramLabel = "PATH", order = 4,
            description = "Directory to store temporary files (environment variable DMTCP_TMPDIR; default: "
                + "$TMPDIR or /tmp)")
    Path tmpDir;

    @Option(names = "--exit-on-last", order = 5, description = "Exit automatically when the last client disconnects.")
    boolean exitOnLast;

    @Option(names = "--exit-after-ckpt", order = 6,
            description = "Kill peer processes of the computation after the first checkpoint is created.")
    boolean exitAfterCkpt;

    @Option(names = "--daemon", order = 7,
            description = "Run silently in the background after detaching from the parent process.")
    boolean daemon;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", order = 8,
            description = "Time in seconds between automatic checkpoints (environment variable "
                + "DMTCP_CHECKPOINT_INTERVAL; default: 0, disabled)")
    Integer interval;

    @Option(names = "--coord-logfile", paramLabel = "PATH", order = 9,
            description = "Write the coordinator's log to this file (environment variable "
                + "DMTCP_COORD_LOG_FILENAME)")
    Path logFile;

    @Option(names = {"-q", "--quiet"}, order = 10,
            description = "Skip startup message and notes; if given twice, also skip warnings.")
    boolean[] quiet;

    @Option(names = "--help", usageHelp = true, order = 11, description = "Print this message and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, order = 12, description = "Print version information and exit.")
    boolean version;

    @Parameters(index = "0", arity = "0..1", paramLabel = "port", description = "Port to listen on (as -p).")
    Integer portArg;

    /** Internal (launch/restart): exit if this process dies before any worker has joined. */
    @Option(names = "--watch-pid", hidden = true)
    Long watchPid;

    /** The settings, resolved from options, environment and defaults. */
    record Settings(int port, Path portFile, Path ckptDir, Path tmpDir, int interval, Path logFile, int quiet,
            boolean exitOnLast, boolean exitAfterCkpt, boolean daemon) {}

    Settings resolve(Env env, Path cwd) {
        Integer p = portArg != null ? portArg : CoordinatorAddress.portFrom(port, env);
        int resolvedPort = p == null ? ConnectionOptions.DEFAULT_PORT : p;
        if (resolvedPort < 0 || resolvedPort > 65535) {
            throw CliException.usage("invalid port " + resolvedPort + " (use 0-65535)");
        }
        Path dir = ckptDir != null ? cwd.resolve(ckptDir)
                : env.get("DMTCP_CHECKPOINT_DIR") != null ? cwd.resolve(env.get("DMTCP_CHECKPOINT_DIR")) : cwd;
        Integer i = interval != null ? interval : env.integer("DMTCP_CHECKPOINT_INTERVAL");
        int resolvedInterval = i == null ? 0 : i;
        if (resolvedInterval < 0) {
            throw CliException.usage("invalid interval " + resolvedInterval + " (seconds, 0 = never)");
        }
        return new Settings(resolvedPort, portFile == null ? null : cwd.resolve(portFile).normalize(),
                dir.toAbsolutePath().normalize(), ConnectionOptions.tmpDir(tmpDir, env, cwd), resolvedInterval,
                ConnectionOptions.logFile(logFile, env, cwd), ConnectionOptions.quiet(quiet, env),
                exitOnLast, exitAfterCkpt, daemon);
    }

    @Override
    public Integer call() throws InterruptedException {
        Env env = Env.system();
        Settings s = resolve(env, Path.of("").toAbsolutePath());
        Path ready = daemon && env.get(READY_FILE_ENV) != null ? Path.of(env.get(READY_FILE_ENV)) : null;
        try {
            return serve(s, ready, env);
        } catch (CliException e) {
            report(ready, "error " + e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            report(ready, "error unexpected failure: " + LocalCoordinatorOps.describe(e));
            throw e;
        }
    }

    private int serve(Settings s, Path ready, Env env) throws InterruptedException {
        if (s.daemon() && s.logFile() != null) {
            redirectOutput(s.logFile());
        }
        Logging.level(s.quiet() >= 2 ? "error" : s.quiet() == 1 ? "warn" : "info");
        LaunchCommand.prepareDirectory(s.ckptDir(), "checkpoint directory");
        String bind = env.get("STASIS_COORD_BIND");
        CoordinatorConfig config = new CoordinatorConfig(bind, s.port(), s.portFile(), s.ckptDir(), s.interval(),
                s.exitOnLast(), s.exitAfterCkpt(), Installation.homeOrNull(), null);
        // The hooks report to the coordinator they listen to, so it is handed to them once it exists.
        AtomicReference<Coordinator> self = new AtomicReference<>();
        Path home = Installation.homeOrNull();
        List<Path> installed = home == null ? List.of()
                : PluginCatalog.installationBundles(Installation.bundles(home));
        CheckpointHooks hooks = new CheckpointHooks(s.tmpDir(), installed,
                (g, error) -> self.get().hookOutcome(g, error));
        Coordinator coordinator = new Coordinator(config, hooks);
        self.set(coordinator);
        int bound;
        try {
            bound = coordinator.start();
        } catch (IOException e) {
            hooks.close();
            throw new CliException("cannot listen on port " + s.port() + ": " + LocalCoordinatorOps.describe(e));
        }
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                try {
                    coordinator.close();
                } catch (RuntimeException e) {
                    // shutting down anyway
                }
                // After the coordinator: a generation completing meanwhile still gets its hooks.
                hooks.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(close, "stasis-coordinator-shutdown"));
        report(ready, "ready " + bound);
        if (watchPid != null) {
            Thread w = new Thread(() -> watch(coordinator, watchPid), "stasis-coordinator-watch");
            w.setDaemon(true);
            w.start();
        }

        PrintStream out = System.out;
        if (s.quiet() == 0 && !s.daemon()) {
            out.print(banner(coordinator, bound, s));
            out.flush();
        }
        if (!s.daemon()) {
            Thread keys = new Thread(() -> readKeys(coordinator, out), "stasis-coordinator-keys");
            keys.setDaemon(true);
            keys.start();
        }
        coordinator.awaitTermination();
        close.run();
        return 0;
    }

    /**
     * A coordinator started by dmtcp_launch/dmtcp_restart is for the process that started it
     * (which becomes the program by exec). If that process is gone and no worker is connected
     * (the program never ran, was not dynamically linked, the restorer refused the image...),
     * nobody will ever join: quit instead of waiting forever. Once workers are there,
     * --exit-on-last takes over.
     */
    static void watch(Coordinator c, long pid) {
        String start = ProcStat.startTime(pid);
        long goneSince = 0;
        while (true) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            if (start != null && ProcStat.alive(pid, start)) {
                goneSince = 0;
                continue;
            }
            int peers;
            try {
                peers = c.status().peers();
            } catch (RuntimeException e) {
                return; // stopping
            }
            if (peers > 0) {
                return;
            }
            long now = System.nanoTime();
            if (goneSince == 0) {
                goneSince = now;
            } else if (now - goneSince >= 1_000_000_000L) {
                org.slf4j.LoggerFactory.getLogger(CoordinatorCommand.class).info(
                        "process {} that this coordinator was started for is gone and no process joined: exiting", pid);
                c.quit();
                return;
            }
        }
    }

    static String banner(Coordinator c, int bound, Settings s) {
        String host = Hosts.localHostName();
        try {
            CoordinatorStatus st = c.status();
            if (st.host() != null && !st.host().isEmpty()) {
                host = st.host();
            }
        } catch (RuntimeException e) {
            // keep the local name
        }
        return "dmtcp_coordinator starting...\n"
                + "    Host: " + host + "\n"
                + "    Port: " + bound + "\n"
                + "    Checkpoint Interval: " + (s.interval() == 0 ? "disabled (checkpoint manually instead)"
                        : s.interval() + " s") + "\n"
                + "    Exit on last client: " + (s.exitOnLast() ? 1 : 0) + "\n"
                + "    Checkpoint directory: " + s.ckptDir() + "\n"
                + "Type '?' for help.\n\n";
    }

    static final String KEYS_HELP = "COMMANDS:\n"
            + "  l : List connected nodes\n"
            + "  s : Print status message\n"
            + "  c : Checkpoint all nodes\n"
            + "  i : Print current checkpoint interval and ask for a new one\n"
            + "      (To change checkpoint interval, use dmtcp_command)\n"
            + "  k : Kill all nodes (after a checkpoint in progress has ended)\n"
            + "  q : Kill all nodes and quit (after a checkpoint in progress has ended)\n"
            + "  ? : Show this message\n\n";

    /** The interactive keys; EOF on stdin just stops reading (job scripts run us in the background). */
    static void readKeys(Coordinator c, PrintStream out) {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                String cmd = line.trim();
                if (cmd.isEmpty()) {
                    continue;
                }
                switch (cmd.charAt(0)) {
                    case 'c', 'C' -> {
                        out.println("[stasis] checkpoint requested");
                        c.checkpoint().whenComplete((r, ex) -> out.println(describe(r, ex)));
                    }
                    case 's', 'S' -> out.print(withNewline(c.statusText()));
                    case 'l', 'L' -> {
                        String list = c.listText();
                        out.print("Client List:\n" + (list == null || list.isBlank() ? "(no processes connected)\n"
                                : withNewline(list)));
                    }
                    case 'i', 'I' -> {
                        CoordinatorStatus st = c.status();
                        out.println("Current checkpoint interval: "
                                + (st.interval() == 0 ? "0 (checkpoint manually)" : st.interval() + " s"));
                        out.print("Enter new checkpoint interval in seconds (0 = never): ");
                        out.flush();
                        String v = in.readLine();
                        if (v == null) {
                            return;
                        }
                        try {
                            int n = Integer.parseInt(v.trim());
                            if (n < 0) {
                                throw new NumberFormatException();
                            }
                            c.setInterval(n);
                            out.println("Checkpoint interval set to " + (n == 0 ? "0 (checkpoint manually)" : n + " s"));
                        } catch (NumberFormatException e) {
                            out.println("Not a number of seconds; interval unchanged.");
                        }
                    }
                    case 'k', 'K' -> {
                        out.println("[stasis] killing all processes");
                        c.killWorkers();
                    }
                    case 'q', 'Q' -> {
                        out.println("[stasis] killing all processes and quitting");
                        c.quit();
                        return;
                    }
                    case '?', 'h', 'H' -> out.print(KEYS_HELP);
                    default -> out.println("Unknown command '" + cmd + "'; type '?' for help.");
                }
                out.flush();
            }
        } catch (IOException e) {
            // stdin gone: keep coordinating
        } catch (RuntimeException e) {
            out.println("[stasis] error: " + LocalCoordinatorOps.describe(e));
        }
    }

    private static String describe(CheckpointResult r, Throwable ex) {
        if (ex != null) {
            return "[stasis] checkpoint failed: " + LocalCoordinatorOps.describe(ex);
        }
        if (r.ok()) {
            return "[stasis] checkpoint generation " + r.generation() + " complete: " + r.images().size() + " image(s)";
        }
        return "[stasis] checkpoint failed: " + r.error();
    }

    private static String withNewline(String s) {
        return s == null ? "\n" : s.endsWith("\n") ? s : s + "\n";
    }

    /** --daemon with --coord-logfile: everything we print goes to the log (the script gave us /dev/null). */
    private static void redirectOutput(Path log) {
        try {
            Path parent = log.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            PrintStream ps = new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8);
            System.setOut(ps);
            System.setErr(ps);
        } catch (IOException e) {
            throw new CliException("cannot open the log file " + log + ": " + LocalCoordinatorOps.describe(e));
        }
    }

    /** Tells the waiting bin/ script how startup went (atomically: it polls for a non-empty file). */
    static void report(Path ready, String line) {
        if (ready == null) {
            return;
        }
        try {
            Path tmp = ready.resolveSibling(ready.getFileName() + ".w");
            Files.writeString(tmp, line.replace('\n', ' ') + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, ready, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, ready, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the script will time out and say so
        }
    }
}
