package org.stasis.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A checkpoint generation the coordinator has just committed, given to
 * {@link StasisPlugin#onCheckpointComplete}: its images are complete, durable and have their
 * final names.
 *
 * @param computationId the computation's identity (as in {@code dmtcp_command --status})
 * @param generation the generation number, starting at 1 (numbering goes on across restarts)
 * @param checkpointDir the directory the images were written to; when the processes wrote to
 *        different directories, the coordinator's checkpoint directory (where the restart script
 *        is)
 * @param images the images of this generation, one per process, absolute
 */
public record GenerationContext(String computationId, long generation, Path checkpointDir, List<Path> images) {

    /**
     * Checks and copies the values.
     *
     * @param computationId the computation id
     * @param generation the generation number, at least 1
     * @param checkpointDir the images' directory
     * @param images the images
     * @throws NullPointerException when {@code computationId} or {@code checkpointDir} is null
     * @throws IllegalArgumentException when {@code generation} is below 1
     */
    public GenerationContext {
        Objects.requireNonNull(computationId, "computationId");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1, got " + generation);
        }
        images = List.copyOf(images);
    }
}
