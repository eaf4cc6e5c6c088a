package org.stasis.barrier;

import java.util.List;

/**
 * A snapshot of the coordinator, with the status keys of protocol.md.
 *
 * @param generation last completed generation
 * @param lastResult "none", "ok" or "failed"
 * @param lastError reason of the last failure, empty when none
 * @param lastImages image paths of the last complete generation
 */
public record CoordinatorStatus(
        String host,
        int port,
        int peers,
        boolean running,
        String compid,
        int generation,
        int interval,
        boolean checkpointInProgress,
        String lastResult,
        String lastError,
        List<String> lastImages) {

    public CoordinatorStatus {
        lastImages = List.copyOf(lastImages);
    }
}
