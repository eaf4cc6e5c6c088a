package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What workers announce about their plugins reaches the restart script and the front end. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GenerationListenerTest {
    @TempDir
    Path dir;

    @Test
    void completedGenerationCarriesBundlesAndScriptVariables() throws Exception {
        BlockingQueue<CompletedGeneration> told = new LinkedBlockingQueue<>();
        try (TestCoordinator coord = TestCoordinator.start(dir, told::add);
                FakeWorker a = coord.launch("a", Map.of("bundles", "/p/one.jar:/p/two",
                        "script_env", "COUNTER_DIR=/data/my%20dir Q=it%27s"));
                FakeWorker b = coord.launch("b", Map.of("bundles", "/p/two:/p/three.jar", "script_env", ""))) {
            var result = coord.commandAsync("bcheckpoint");
            FakeWorker.answerCheckpoint(List.of(a, b), 1);
            assertTrue(result.get(10, TimeUnit.SECONDS).isOk());

            CompletedGeneration g = told.poll(10, TimeUnit.SECONDS);
            assertEquals(1, g.generation());
            assertEquals(a.welcome.get("compid"), g.compid());
            assertEquals(coord.ckptDir.toAbsolutePath(), g.ckptDir());
            assertEquals(List.of(Path.of(a.image()), Path.of(b.image())), g.images());
            assertEquals(List.of(Path.of("/p/one.jar"), Path.of("/p/two"), Path.of("/p/three.jar")), g.bundles());

            String script = Files.readString(coord.ckptDir.resolve("dmtcp_restart_script.sh"));
            assertTrue(script.contains("export COUNTER_DIR='/data/my dir'\nexport Q='it'\\''s'\n"
                    + "export STASIS_PLUGIN_BUNDLES='/p/one.jar:/p/two:/p/three.jar'\n"), script);
            assertTrue(script.indexOf("export Q=") < script.indexOf("exec "), script);
        }
    }

    @Test
    void hookOutcomeShowsInStatusUntilALaterGenerationGoesWell() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertEquals("", coord.command("status").get("hook_error"));
            coord.coordinator.hookOutcome(2, "plugin counter: disk full");
            assertEquals("plugin counter: disk full", coord.command("status").get("hook_error"));
            assertTrue(coord.coordinator.statusText().contains("HOOK_ERROR=plugin counter: disk full"));
            coord.coordinator.hookOutcome(1, "");
            assertEquals("plugin counter: disk full", coord.coordinator.status().hookError(), "older report ignored");
            coord.coordinator.hookOutcome(3, "");
            assertEquals("", coord.coordinator.status().hookError());
            assertTrue(!coord.coordinator.statusText().contains("HOOK_ERROR"));
        }
    }

    @Test
    void failingListenerDoesNotHurtTheGeneration() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir, g -> {
            throw new IllegalStateException("listener bug");
        }); FakeWorker w = coord.launch("w")) {
            var result = coord.commandAsync("bcheckpoint");
            FakeWorker.answerCheckpoint(List.of(w), 1);
            assertTrue(result.get(10, TimeUnit.SECONDS).isOk());
            assertEquals("ok", coord.coordinator.status().lastResult());
        }
    }

    @Test
    void malformedAnnouncementsAreRefused() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertRefused(coord, Map.of("script_env", "A=$x"), "script_env: A: character '$' must be %-escaped");
            assertRefused(coord, Map.of("bundles", "relative/x.jar"),
                    "bundles: 'relative/x.jar' is not an absolute path");
        }
    }

    private static void assertRefused(TestCoordinator coord, Map<String, String> hello, String reason)
            throws IOException {
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> coord.launch("bad", hello).close());
        assertTrue(e.getMessage().contains("REFUSED") && e.getMessage().contains(reason), e.getMessage());
    }
}
