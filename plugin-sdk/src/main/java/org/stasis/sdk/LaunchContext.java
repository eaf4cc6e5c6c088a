package org.stasis.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a launch is about to run, given to {@link StasisPlugin#onLaunch}.
 *
 * @param program the program as typed by the user
 * @param args its arguments
 * @param checkpointDir absolute checkpoint directory
 * @param options this plugin's own options that were given or have defaults, by option name
 *        (e.g. {@code --slurm-partition}); flags have the value {@code "true"} (see
 *        {@link StasisPlugin#options()})
 */
public record LaunchContext(String program, List<String> args, Path checkpointDir, Map<String, String> options) {

    /**
     * Checks and copies the values; the collections become unmodifiable.
     *
     * @param program the program as typed
     * @param args its arguments
     * @param checkpointDir the checkpoint directory
     * @param options the plugin's option values
     * @throws NullPointerException when {@code program} or {@code checkpointDir} is null
     */
    public LaunchContext {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        args = List.copyOf(args);
        options = Map.copyOf(options);
    }
}
