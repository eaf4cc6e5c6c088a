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
 * @param notes what plugins said the user should know of a successful checkpoint (such as
 *     connections that will come back closed at a restart), one line each, naming the process
 */
public record CheckpointResult(boolean ok, int generation, List<String> images, String error, long elapsedMillis,
        List<String> notes) {

    public CheckpointResult {
        images = List.copyOf(images);
        error = error == null ? "" : error;
        notes = List.copyOf(notes);
    }

    static CheckpointResult success(int generation, List<String> images, long elapsedMillis, List<String> notes) {
        return new CheckpointResult(true, generation, images, "", elapsedMillis, notes);
    }

    static CheckpointResult failure(int generation, String error, long elapsedMillis) {
        return new CheckpointResult(false, generation, List.of(), error, elapsedMillis, List.of());
    }
}
