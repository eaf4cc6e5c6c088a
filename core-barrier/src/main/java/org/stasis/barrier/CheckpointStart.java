package org.stasis.barrier;

import java.util.concurrent.CompletableFuture;

/**
 * Whether a checkpoint request started a generation. {@code result} completes when the request
 * is complete or failed; for a refused request it is already complete. {@code generation} is the
 * first one attempted: if a process joins mid-way the request retries under a new number, and
 * {@code result} tells which generation it came to.
 */
record CheckpointStart(boolean started, int generation, String error, CompletableFuture<CheckpointResult> result) {

    static CheckpointStart refused(String error) {
        return new CheckpointStart(false, 0, error,
                CompletableFuture.completedFuture(CheckpointResult.failure(0, error, 0)));
    }
}
