package org.stasis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.function.Predicate;
import org.stasis.barrier.Message;

/**
 * Decides which coordinator launch/restart use, and makes it happen. The decision itself
 * ({@link #decide}) is pure.
 */
public final class CoordinatorSelector {

    /** Join the coordinator that answers at host:port. */
    public record Join(String host, int port) implements Decision {}

    /** Start a coordinator on this host. */
    public record Start(int port, boolean exitOnLast) implements Decision {}

    public sealed interface Decision permits Join, Start {}

    private CoordinatorSelector() {}

    /**
     * DMTCP's rules (see CoordinatorMode). {@code isLocal} says whether a host is this machine;
     * the probe is only consulted when the answer matters.
     */
    public static Decision decide(CoordinatorRequest r, Predicate<String> isLocal, CoordinatorOps ops) {
        switch (r.mode()) {
            case NONE:
                return new Start(0, true);
            case NEW: {
                if (!isLocal.test(r.host())) {
                    throw new CliException("--new-coordinator starts a coordinator on this host, not on " + r.host()
                            + " (drop --coord-host, or use --join-coordinator)");
                }
                int port = r.portGiven() ? r.port() : 0;
                if (port != 0) {
                    ProbeResult p = ops.probe(r.host(), port);
                    if (p.state() != ProbeResult.State.ABSENT) {
                        throw new CliException("a coordinator is already running on port " + port
                                + " (--new-coordinator needs a free port; use --join-coordinator to join it,"
                                + " or another port)");
                    }
                }
                return new Start(port, true);
            }
            case JOIN: {
                ProbeResult p = ops.probe(r.host(), r.port());
                if (p.state() != ProbeResult.State.REACHABLE) {
                    throw new CliException("no coordinator found at " + r.endpoint() + " (" + p.reason() + ")"
                            + "; start one with dmtcp_coordinator, or drop --join-coordinator");
                }
                return new Join(r.host(), r.port());
            }
            case ANY:
            default: {
                if (r.port() == 0) {
                    if (!isLocal.test(r.host())) {
                        throw new CliException("port 0 means a new coordinator, which can only be started on this host, not on "
                                + r.host());
                    }
                    return new Start(0, true);
                }
                ProbeResult p = ops.probe(r.host(), r.port());
                switch (p.state()) {
                    case REACHABLE:
                        return new Join(r.host(), r.port());
                    case UNUSABLE:
                        throw new CliException("cannot use the coordinator at " + r.endpoint() + " (" + p.reason() + ")");
                    case ABSENT:
                    default:
                        if (!isLocal.test(r.host())) {
                            throw new CliException("no coordinator found at " + r.endpoint() + " (" + p.reason()
                                    + "), and a new one can only be started on this host");
                        }
                        return new Start(r.port(), true);
                }
            }
        }
    }

    /**
     * Decides, then joins or starts the coordinator; applies the interval to a joined one and
     * writes the port file for a joined one (a started one writes its own).
     */
    public static CoordinatorSession select(CoordinatorRequest r, Predicate<String> isLocal, CoordinatorOps ops) {
        Decision d = decide(r, isLocal, ops);
        if (d instanceof Join j) {
            String secret = ops.secret(j.host(), j.port(), false);
            if (r.interval() != null) {
                Message m = Message.builder("COMMAND").put("verb", "interval").put("value", r.interval()).build();
                try {
                    Message res = ops.command(j.host(), j.port(), secret, m);
                    if (!res.isOk()) {
                        throw new CliException("the coordinator at " + r.endpoint() + " refused the interval: "
                                + res.get("error", "no reason given"));
                    }
                } catch (IOException e) {
                    throw new CliException("cannot set the interval on the coordinator at " + r.endpoint() + ": "
                            + e.getMessage());
                }
            }
            if (r.portFile() != null) {
                try {
                    Files.writeString(r.portFile(), j.port() + "\n", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new CliException("cannot write the port file " + r.portFile() + ": " + e.getMessage());
                }
            }
            return new CoordinatorSession(j.host(), ops.numericAddress(j.host()), j.port(), secret, false);
        }
        Start s = (Start) d;
        int port = ops.start(new CoordinatorOps.StartSpec(s.port(), s.exitOnLast(), r.portFile(), r.ckptDir(),
                r.interval(), r.logFile(), r.tmpDir(), ProcessHandle.current().pid()));
        String secret = ops.secret("localhost", port, true);
        return new CoordinatorSession(ops.localHostName(), "127.0.0.1", port, secret, true);
    }
}
