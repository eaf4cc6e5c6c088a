package org.stasis.barrier;

import java.util.List;

/**
 * How a checkpoint request ended.
 *
 * @param generation the generation attempted last (a request retries under a new number when a
 *     process joins mid-way), or 0 if none was started
 * @param images image paths written, empty unless ok
 * @param error why it failed, empty when ok
 * @param elapsedMillis from the first barrier of the first attempt to the last image committed
 *     (or to the abort), as the coordinator measured it: what a checkpoint costs without any
 *     command start-up
 */
public record CheckpointResult(boolean ok, int generation, List<String> images, String error, long elapsedMillis) {

    public CheckpointResult {
        images = List.copyOf(images);
        error = error == null ? "" : error;
    }

    static CheckpointResult success(int generation, List<String> images, long elapsedMillis) {
        return new CheckpointResult(true, generation, images, "", elapsedMillis);
    }

    static CheckpointResult failure(int generation, String error, long elapsedMillis) {
        return new CheckpointResult(false, generation, List.of(), error, elapsedMillis);
    }
}
