package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;

/** Several images given to one dmtcp_restart: what may go together, and what their plugins add up to. */
class RestartImagesTest {

    static ImageSummary image(String file, String upid, String compid, int generation, List<String> plugins,
            List<String> bundles) {
        ImageHeader h = new ImageHeader(1, 4096, 0, 0, "x86_64", 0, 1000, 100, 42, 1, 42, 42, 0, generation, 2, 0,
                upid, compid, "count", "h", "k", "g", "/bin/count", plugins, bundles);
        return new ImageSummary(Path.of(file), h, 8192, Map.of(), 0, 0, 0, -1, -1, List.of(), false);
    }

    static ImageSummary image(String file, String upid, String compid, int generation) {
        return image(file, upid, compid, generation, List.of(), List.of());
    }

    private static String refusal(ImageSummary... images) {
        return assertThrows(CliException.class, () -> RestartCommand.checkTogether(List.of(images))).getMessage();
    }

    @Test
    void imagesOfOneGenerationGoTogether() {
        RestartCommand.checkTogether(List.of(image("/d/a.dmtcp", "a", "comp-1", 4)));
        RestartCommand.checkTogether(List.of(image("/d/a.dmtcp", "a", "comp-1", 4),
                image("/d/b.dmtcp", "b", "comp-1", 4), image("/d/c.dmtcp", "c", "comp-1", 4)));
    }

    @Test
    void anotherComputationIsRefusedNamingBothFiles() {
        String m = refusal(image("/d/a.dmtcp", "a", "comp-1", 4), image("/d/b.dmtcp", "b", "comp-1", 4),
                image("/e/x.dmtcp", "x", "comp-2", 4));
        assertTrue(m.startsWith("/d/a.dmtcp and /e/x.dmtcp belong to different computations (comp-1 and comp-2)"), m);
        assertTrue(m.contains("run it once for each"), m);
    }

    @Test
    void anotherGenerationIsRefusedNamingBothFilesAndGenerations() {
        String m = refusal(image("/d/a.dmtcp", "a", "comp-1", 4), image("/old/b.dmtcp", "b", "comp-1", 3));
        assertTrue(m.startsWith("/d/a.dmtcp and /old/b.dmtcp are of different checkpoints of computation comp-1"
                + " (generation 4 and generation 3)"), m);
    }

    @Test
    void theComputationIsCheckedBeforeTheGeneration() {
        String m = refusal(image("/d/a.dmtcp", "a", "comp-1", 4), image("/d/b.dmtcp", "b", "", 9));
        assertTrue(m.contains("different computations (comp-1 and none recorded)"), m);
    }

    @Test
    void aProcessComesBackOnce() {
        String twice = refusal(image("/d/a.dmtcp", "a", "comp-1", 4), image("/d/a.dmtcp", "a", "comp-1", 4));
        assertEquals("/d/a.dmtcp is given twice; give each image once", twice);
        String copy = refusal(image("/d/a.dmtcp", "a", "comp-1", 4), image("/backup/a.dmtcp", "a", "comp-1", 4));
        assertTrue(copy.startsWith("/d/a.dmtcp and /backup/a.dmtcp are images of the same process (upid a)"), copy);
    }

    @Test
    void pluginsAndBundlesOfAllImagesInOrderOfFirstAppearance() {
        List<ImageSummary> images = List.of(
                image("/d/a.dmtcp", "a", "c", 1, List.of("files", "counter"), List.of("/p/counter.jar")),
                image("/d/b.dmtcp", "b", "c", 1, List.of("sockets", "files"), List.of()),
                image("/d/c.dmtcp", "c", "c", 1, List.of("counter", "extra"), List.of("/p/extra.jar",
                        "/p/counter.jar")));
        assertEquals(List.of("files", "counter", "sockets", "extra"), RestartCommand.union(images,
                ImageHeader::plugins));
        assertEquals(List.of("/p/counter.jar", "/p/extra.jar"), RestartCommand.union(images, ImageHeader::bundles));
    }

    @Test
    void helpSpeaksOfSeveralImages() {
        CliTest.Run h = CliTest.run("dmtcp_restart", "--help");
        assertEquals(0, h.rc());
        assertTrue(h.out().contains("<ckpt1.dmtcp> [ckpt2.dmtcp...]"), h.out());
        assertTrue(h.out().contains("same computation and the same checkpoint generation"), h.out());
    }
}
