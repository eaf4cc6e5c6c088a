package org.stasis.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a restart is about to restore, given to {@link StasisPlugin#onRestart}.
 *
 * @param images the checkpoint images, absolute, in the order given
 * @param checkpointDir absolute checkpoint directory for the next generations ({@code --ckptdir},
 *        else the directory of the first image)
 * @param options this plugin's own options given to the restart or having defaults, by option
 *        name; flags have the value {@code "true"} (see {@link StasisPlugin#options()})
 */
public record RestartContext(List<Path> images, Path checkpointDir, Map<String, String> options) {

    /**
     * Checks and copies the values; the collections become unmodifiable.
     *
     * @param images the images
     * @param checkpointDir the checkpoint directory for the next generations
     * @param options the plugin's option values
     * @throws NullPointerException when {@code checkpointDir} is null
     */
    public RestartContext {
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        images = List.copyOf(images);
        options = Map.copyOf(options);
    }
}
