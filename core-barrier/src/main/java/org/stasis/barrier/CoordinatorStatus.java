package org.stasis.barrier;

import java.util.List;

/**
 * A snapshot of the coordinator, with the status keys of protocol.md.
 *
 * @param generation last completed generation
 * @param lastResult "none", "ok" or "failed"
 * @param lastError reason of the last failure, empty when none
 * @param lastImages image paths of the last complete generation
 * @param hookError what went wrong in the front end's work after the newest generation it has
 *        reported on (e.g. a plugin's {@code onCheckpointComplete}), empty when nothing did
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
        List<String> lastImages,
        String hookError) {

    public CoordinatorStatus {
        lastImages = List.copyOf(lastImages);
        hookError = hookError == null ? "" : hookError;
    }
}
