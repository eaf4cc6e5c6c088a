package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stasis.barrier.CompletedGeneration;

/** The coordinator's side of plugins, fed completed generations as the kernel would. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckpointHooksTest {

    @TempDir
    Path dir;

    /** One generation's report. */
    record Outcome(int generation, String error) {}

    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

    private CheckpointHooks hooks() {
        return new CheckpointHooks(dir.resolve("tmp"), List.of(), (g, e) -> outcomes.add(new Outcome(g, e)));
    }

    private Outcome next() throws InterruptedException {
        Outcome o = outcomes.poll(30, TimeUnit.SECONDS);
        assertTrue(o != null, "no report");
        return o;
    }

    private CompletedGeneration generation(int g, List<Path> bundles) {
        return new CompletedGeneration("cid", g, dir.resolve("coord"),
                List.of(dir.resolve("ck/a.dmtcp"), dir.resolve("ck/b.dmtcp")), bundles, List.of());
    }

    @Test
    void announcedPluginsAreCalledInOrderAfterEachGeneration() throws Exception {
        Path record = dir.resolve("calls.txt");
        Path alpha = TestBundles.jar(dir.resolve("alpha.jar"), TestBundles.plugin("alpha", false,
                "Test-Record", record.toString()));
        Path beta = TestBundles.folder(dir.resolve("beta"), TestBundles.plugin("beta", false,
                "Test-Record", record.toString(), "Test-Fail", "onCheckpointComplete"));
        Path missing = dir.resolve("gone.jar");
        try (CheckpointHooks h = hooks()) {
            h.generationCompleted(generation(1, List.of(beta, alpha, missing)));
            Outcome first = next();
            assertEquals(1, first.generation());
            assertEquals("plugin beta: the test plugin beta fails in onCheckpointComplete; plugin bundle not loaded: "
                    + missing + ": no such file or directory", first.error());
            String images = List.of(dir.resolve("ck/a.dmtcp"), dir.resolve("ck/b.dmtcp")).toString();
            assertEquals(List.of("beta onCheckpointComplete cid 1 " + dir.resolve("ck") + " " + images,
                    "alpha onCheckpointComplete cid 1 " + dir.resolve("ck") + " " + images), Files.readAllLines(record));

            h.generationCompleted(generation(2, List.of(alpha)));
            assertEquals(new Outcome(2, ""), next(), "a later generation without failures clears the error");
            assertEquals(3, Files.readAllLines(record).size(), "the host stays loaded and is reused");
        }
        try (var left = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, left.count(), "closing removes the plugin cache");
        }
    }

    @Test
    void installedPluginsAreCalledWhenTheWorkersNameThemEnabled() throws Exception {
        Path record = dir.resolve("calls.txt");
        Path on = TestBundles.jar(dir.resolve("on.jar"), TestBundles.plugin("on", true,
                "Test-Record", record.toString()));
        Path off = TestBundles.jar(dir.resolve("off.jar"), TestBundles.plugin("off", true,
                "Test-Record", record.toString()));
        try (CheckpointHooks h = new CheckpointHooks(dir.resolve("tmp"), List.of(on, off),
                (g, e) -> outcomes.add(new Outcome(g, e)))) {
            h.generationCompleted(new CompletedGeneration("cid", 1, dir.resolve("coord"),
                    List.of(dir.resolve("ck/a.dmtcp")), List.of(), List.of("on")));
            assertEquals(new Outcome(1, ""), next());
            List<String> calls = Files.readAllLines(record).stream()
                    .filter(l -> l.contains("onCheckpointComplete")).toList();
            assertEquals(1, calls.size(), calls.toString());
            assertTrue(calls.get(0).startsWith("on onCheckpointComplete cid 1 "), calls.toString());
        }
    }

    @Test
    void generationsWithoutBundlesStartNothing() throws Exception {
        try (CheckpointHooks h = hooks()) {
            h.generationCompleted(generation(1, List.of()));
            assertEquals(new Outcome(1, ""), next());
        }
        assertTrue(Files.notExists(dir.resolve("tmp")), "no plugin framework without bundles");
    }

    @Test
    void imagesDirectoryIsTheirsWhenShared() {
        assertEquals(dir.resolve("ck"), CheckpointHooks.imageDir(generation(1, List.of())));
        CompletedGeneration spread = new CompletedGeneration("cid", 1, dir.resolve("coord"),
                List.of(dir.resolve("x/a.dmtcp"), dir.resolve("y/b.dmtcp")), List.of(), List.of());
        assertEquals(dir.resolve("coord"), CheckpointHooks.imageDir(spread));
    }

    @Test
    void closedHooksIgnoreLateGenerations() {
        CheckpointHooks h = hooks();
        h.close();
        h.generationCompleted(generation(1, List.of(dir.resolve("x.jar"))));
        h.close();
        assertTrue(outcomes.isEmpty());
    }
}
