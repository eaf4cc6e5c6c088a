package org.stasis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** "Connecting to the coordinator" options of dmtcp_launch and dmtcp_restart. */
public final class ConnectionOptions {

    public static final int DEFAULT_PORT = 7779;
    public static final String DEFAULT_HOST = "localhost";

    @Option(names = {"-h", "--coord-host"}, paramLabel = "HOSTNAME", order = 1,
            description = "Host where the coordinator runs (environment variable DMTCP_COORD_HOST) "
                + "(default: localhost)")
    String host;

    @Option(names = {"-p", "--coord-port"}, paramLabel = "PORT_NUM", order = 2,
            description = "Port where the coordinator runs (environment variable DMTCP_COORD_PORT) "
                + "(default: 7779)")
    Integer port;

    @Option(names = "--port-file", paramLabel = "FILENAME", order = 3,
            description = "File to write the coordinator's port number to. (Useful with '--coord-port 0', "
                + "which picks a random port)")
    Path portFile;

    @Option(names = {"-j", "--join-coordinator"}, order = 4,
            description = "Join an existing coordinator; fail if none runs at host:port.")
    boolean join;

    @Option(names = "--new-coordinator", order = 5,
            description = "Start a new coordinator on this host at the given port; fail if one already runs "
                + "there. Without a port (option or DMTCP_COORD_PORT), a random port is used (same "
                + "as port 0).")
    boolean newCoordinator;

    @Option(names = "--any-coordinator", order = 6,
            description = "Join the coordinator at host:port if one answers, else start a new one there. "
                + "(This is the default.)")
    boolean anyCoordinator;

    @Option(names = "--no-coordinator", order = 7,
            description = "Run with a private coordinator on a random port that exits with the program. Use "
                + "dmtcp_command or --interval to request checkpoints. Unlike DMTCP's embedded mode "
                + "this runs in its own process, so fork() is fine.")
    boolean noCoordinator;

    @Option(names = {"-i", "--interval"}, paramLabel = "SECONDS", order = 8,
            description = "Seconds between automatic checkpoints (environment variable "
                + "DMTCP_CHECKPOINT_INTERVAL). 0 means never (manual checkpoints only); if not set, "
                + "the coordinator's interval is kept. Not allowed with --join-coordinator.")
    Integer interval;

    /** The coordinator mode; more than one mode option is a usage error. */
    CoordinatorMode mode() {
        List<CoordinatorMode> modes = new ArrayList<>();
        if (join) {
            modes.add(CoordinatorMode.JOIN);
        }
        if (newCoordinator) {
            modes.add(CoordinatorMode.NEW);
        }
        if (anyCoordinator) {
            modes.add(CoordinatorMode.ANY);
        }
        if (noCoordinator) {
            modes.add(CoordinatorMode.NONE);
        }
        if (modes.size() > 1) {
            throw CliException.usage("options " + modes.get(0).option() + " and " + modes.get(1).option()
                    + " cannot be used together");
        }
        return modes.isEmpty() ? CoordinatorMode.ANY : modes.get(0);
    }

    /** Options, then DMTCP's environment variables, then defaults. */
    CoordinatorRequest resolve(Env env, Path cwd, Path ckptDirForNew, Path logFile, Path tmpDir) {
        CoordinatorMode mode = mode();
        String h = CoordinatorAddress.hostFrom(host, env);
        Integer p = CoordinatorAddress.portFrom(port, env);
        boolean portGiven = p != null;
        int resolvedPort = p == null ? DEFAULT_PORT : p;
        if (resolvedPort < 0 || resolvedPort > 65535) {
            throw CliException.usage("invalid port " + resolvedPort + " (use 0-65535)");
        }
        if (interval != null && mode == CoordinatorMode.JOIN) {
            throw CliException.usage("--interval is not allowed with --join-coordinator"
                    + " (set it on the running coordinator with dmtcp_command --interval)");
        }
        Integer i = interval != null ? interval : env.integer("DMTCP_CHECKPOINT_INTERVAL");
        if (i != null && i < 0) {
            throw CliException.usage("invalid interval " + i + " (seconds, 0 = never)");
        }
        if (mode == CoordinatorMode.JOIN) {
            i = null; // from the environment only: the running coordinator keeps its own
        }
        Path pf = portFile == null ? null : cwd.resolve(portFile).normalize();
        return new CoordinatorRequest(h.trim(), resolvedPort, portGiven, pf, mode, i, ckptDirForNew, logFile, tmpDir);
    }

    static ConnectionOptions orDefault(ConnectionOptions o) {
        return o == null ? new ConnectionOptions() : o;
    }

    /** --tmpdir, DMTCP_TMPDIR, TMPDIR, /tmp. */
    static Path tmpDir(Path option, Env env, Path cwd) {
        if (option != null) {
            return cwd.resolve(option).normalize();
        }
        String t = env.get("DMTCP_TMPDIR");
        if (t == null) {
            t = env.get("TMPDIR");
        }
        return cwd.resolve(t == null ? "/tmp" : t).normalize();
    }

    /** -q count, else DMTCP_QUIET (0, 1 or 2). */
    static int quiet(boolean[] q, Env env) {
        if (q != null && q.length > 0) {
            return Math.min(q.length, 2);
        }
        Integer v = env.integer("DMTCP_QUIET");
        return v == null ? 0 : Math.max(0, Math.min(v, 2));
    }

    /** --coord-logfile, else DMTCP_COORD_LOG_FILENAME. */
    static Path logFile(Path option, Env env, Path cwd) {
        if (option != null) {
            return cwd.resolve(option).normalize();
        }
        String f = env.get("DMTCP_COORD_LOG_FILENAME");
        return f == null ? null : cwd.resolve(f).normalize();
    }
}
