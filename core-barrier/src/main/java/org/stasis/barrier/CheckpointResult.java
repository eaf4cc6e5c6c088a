package org.stasis.barrier;

import java.util.List;

/**
 * How a checkpoint request ended.
 *
 * @param generation the generation attempted, or 0 if none was started
 * @param images image paths written, empty unless ok
 * @param error why it failed, empty when ok
 */
public record CheckpointResult(boolean ok, int generation, List<String> images, String error) {

    public CheckpointResult {
        images = List.copyOf(images);
        error = error == null ? "" : error;
    }

    static CheckpointResult success(int generation, List<String> images) {
        return new CheckpointResult(true, generation, images, "");
    }

    static CheckpointResult failure(int generation, String error) {
        return new CheckpointResult(false, generation, List.of(), error);
    }
}
