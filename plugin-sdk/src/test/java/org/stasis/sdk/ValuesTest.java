package org.stasis.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void pluginNamesAreNarrow() {
        assertTrue(PluginInfo.isValidName("slurm"));
        assertTrue(PluginInfo.isValidName("modify-env"));
        assertFalse(PluginInfo.isValidName("Slurm"));
        assertFalse(PluginInfo.isValidName("1x"));
        assertFalse(PluginInfo.isValidName("a_b"));
        assertThrows(IllegalArgumentException.class, () -> new PluginInfo("Bad Name", "1", ""));
        assertEquals("", new PluginInfo("x", "1", null).description());
    }

    @Test
    void optionsAreLongOptions() {
        assertTrue(new PluginOption("--slurm-partition", "NAME", "Partition.", null).hasValue());
        assertFalse(new PluginOption("--slurm-quiet", null, "Quiet.", null).hasValue());
        assertThrows(IllegalArgumentException.class, () -> new PluginOption("-s", null, "x", null));
    }

    @Test
    void contextsCopyTheirCollections() {
        List<String> args = new ArrayList<>(List.of("a"));
        LaunchContext c = new LaunchContext("prog", args, Path.of("/tmp"), Map.of());
        args.add("b");
        assertEquals(List.of("a"), c.args());
        assertThrows(UnsupportedOperationException.class, () -> c.args().add("c"));
        assertThrows(IllegalArgumentException.class, () -> new GenerationContext("id", 0, Path.of("/"), List.of()));
    }

    @Test
    void hooksDefaultToNothing() {
        StasisPlugin p = () -> new PluginInfo("noop", "1.0", "");
        p.onLaunch(new LaunchContext("prog", List.of(), Path.of("/tmp"), Map.of()));
        p.onRestart(new RestartContext(List.of(), Path.of("/tmp"), Map.of()));
        p.onCheckpointComplete(new GenerationContext("id", 1, Path.of("/tmp"), List.of()));
        assertTrue(p.options().isEmpty());
        assertTrue(p.restartScriptEnvironment().isEmpty());
        assertTrue(p.kvNamespaces().isEmpty());
    }

    @Test
    void resumeAndRestartRunInReverse() {
        assertTrue(Events.isReversed(Events.RESUME));
        assertTrue(Events.isReversed(Events.RESTART));
        assertFalse(Events.isReversed(Events.PRESUSPEND));
        assertFalse(Events.isReversed(Events.PRECHECKPOINT));
    }
}
