package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartDisabledTest {

    private static final List<PluginDescriptor> INSTALLED = List.of(
            new PluginDescriptor("files", "1", true), new PluginDescriptor("ptrace", "1", false));

    @Test
    void onlyImagePluginsTheRestartTurnsOffAreDisabled() {
        EnabledSet set = EnabledSet.resolve(INSTALLED, List.of(), Map.of("STASIS_PLUGIN_FILES", "0"),
                PluginFlags.NONE, List.of());
        List<PluginDecision> off = RestartDisabled.of(List.of("files", "counter"), set);
        assertEquals(List.of("files"), off.stream().map(PluginDecision::name).toList(),
                "counter is unknown to this restart and stays as it was");
        String w = RestartDisabled.warning(off.get(0));
        assertTrue(w.contains("plugin files") && w.contains("env:STASIS_PLUGIN_FILES"), w);
    }

    @Test
    void theImageListIsTheFirstLayerOfARestart() {
        EnabledSet set = EnabledSet.resolve(INSTALLED, List.of("files", "ptrace"), List.of(), Map.of(),
                PluginFlags.NONE, List.of());
        assertTrue(set.decision("ptrace").enabled(), "launched with --ptrace: on again at restart");
        assertEquals("image", set.decision("ptrace").layer());
        assertEquals(List.of(), RestartDisabled.of(List.of("files", "ptrace"), set));
        EnabledSet withoutFiles = EnabledSet.resolve(INSTALLED, List.of("ptrace"), List.of(), Map.of(),
                PluginFlags.NONE, List.of());
        assertTrue(!withoutFiles.decision("files").enabled(), "launched with --disable-files-plugin: stays off");
        EnabledSet siteOff = EnabledSet.resolve(INSTALLED, List.of("files", "ptrace"), List.of(),
                Map.of("STASIS_PLUGIN_PTRACE", "0"), PluginFlags.NONE, List.of());
        assertEquals(List.of("ptrace"), RestartDisabled.of(List.of("files", "ptrace"), siteOff).stream()
                .map(PluginDecision::name).toList());
    }

    @Test
    void aPluginStillEnabledOrNotInTheImageIsLeftAlone() {
        EnabledSet set = EnabledSet.resolve(INSTALLED, List.of(), Map.of(), PluginFlags.NONE, List.of());
        assertEquals(List.of(), RestartDisabled.of(List.of("files"), set));
        assertEquals(List.of(), RestartDisabled.of(List.of(), set), "ptrace is off but not in the image");
    }
}
