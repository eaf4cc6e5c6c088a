package org.stasis.barrier;

import java.util.List;

/** Human-readable reports in the shape DMTCP users know from the coordinator's "s" and "l" keys. */
final class StatusText {
    private StatusText() {}

    static String status(CoordinatorStatus s) {
        String lastCkpt = switch (s.lastResult()) {
            case "ok" -> "ok";
            case "failed" -> "failed: " + s.lastError();
            default -> "none";
        };
        return "Coordinator:\n"
                + "  Host: " + s.host() + "\n"
                + "  Port: " + s.port() + "\n"
                + "Status...\n"
                + "  NUM_PEERS=" + s.peers() + "\n"
                + "  RUNNING=" + (s.running() ? "yes" : "no") + "\n"
                + "  CKPT_INTERVAL=" + (s.interval() == 0 ? "0 (checkpoint manually)" : s.interval()) + "\n"
                + "  GENERATION=" + s.generation() + "\n"
                + "  LAST_CKPT=" + lastCkpt + "\n"
                + (s.hookError().isEmpty() ? "" : "  HOOK_ERROR=" + s.hookError() + "\n");
    }

    static String list(List<WorkerSession> workers) {
        StringBuilder text = new StringBuilder();
        workers.forEach(w -> text.append(w.humanListLine()).append('\n'));
        return text.toString();
    }
}
