package com.example.stasis.counter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.stasis.sdk.GenerationContext;
import org.stasis.sdk.LaunchContext;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.PluginOption;
import org.stasis.sdk.RestartContext;
import org.stasis.sdk.StasisPlugin;

/**
 * The Java half of the counter plugin: declares its launch options, checks them at launch, and
 * says a word at restart and when a generation completes. The counting itself happens in the
 * native half (src/main/c/counter.c), inside the program.
 */
public final class CounterPlugin implements StasisPlugin {

    static final String LABEL = "--counter-label";
    static final String FAIL_AT = "--counter-fail-at";

    private final String version;

    public CounterPlugin(String version) {
        this.version = version;
    }

    @Override
    public PluginInfo info() {
        return new PluginInfo("counter", version, "counts checkpoints in its own image section (example)");
    }

    @Override
    public List<PluginOption> options() {
        return List.of(
                new PluginOption(LABEL, "TEXT", "Label of the lines the plugin prints at each event.", null),
                new PluginOption(FAIL_AT, "N", "Refuse the Nth checkpoint at PRECHECKPOINT (to try a failing"
                        + " plugin).", null));
    }

    @Override
    public void onLaunch(LaunchContext context) {
        String failAt = context.options().get(FAIL_AT);
        if (failAt != null && !failAt.matches("[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException(FAIL_AT + " takes a checkpoint number (1, 2, ...), not '" + failAt + "'");
        }
    }

    @Override
    public void onRestart(RestartContext context) {
        System.err.println("[counter] restarting from " + context.images().size() + " image(s)");
    }

    /** Keeps a log of completed generations next to the images (the coordinator's output may go nowhere). */
    @Override
    public void onCheckpointComplete(GenerationContext context) {
        Path log = context.checkpointDir().resolve("counter-generations.log");
        String line = "generation " + context.generation() + " of " + context.computationId() + ": "
                + context.images().size() + " image(s)\n";
        try {
            Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + log, e);
        }
    }
}
