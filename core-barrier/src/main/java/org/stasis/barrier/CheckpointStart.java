package org.stasis.barrier;

import java.util.concurrent.CompletableFuture;

/**
 * Whether a checkpoint request started a generation. {@code result} completes when that
 * generation is complete or failed; for a refused request it is already complete.
 */
record CheckpointStart(boolean started, int generation, String error, CompletableFuture<CheckpointResult> result) {

    static CheckpointStart refused(String error) {
        return new CheckpointStart(false, 0, error,
                CompletableFuture.completedFuture(CheckpointResult.failure(0, error, 0)));
    }
}
