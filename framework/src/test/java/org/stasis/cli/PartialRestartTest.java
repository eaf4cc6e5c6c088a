package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;

/** Which of a computation's images one dmtcp_restart left out, and how long the coordinator waits for them. */
class PartialRestartTest {

    static ImageHeader header(String upid, String compid, int generation, int peers, int pid, String program) {
        return new ImageHeader(1, 4096, 0, 0, "x86_64", 0, 1000, 100, pid, 1, pid, pid, 0, generation, peers, 0,
                upid, compid, program, "h", "k", "g", "/bin/" + program, List.of(), List.of());
    }

    static ImageSummary given(String file, ImageHeader h) {
        return new ImageSummary(Path.of(file), h, 8192, Map.of(), 0, 0, 0, -1, -1, List.of(), false);
    }

    @Test
    void allImagesGivenIsNoPartialRestart() {
        ImageHeader a = header("a", "c1", 3, 2, 10, "pingpong");
        ImageHeader b = header("b", "c1", 3, 2, 11, "pingpong");
        assertNull(PartialRestart.of(List.of(given("/d/a.dmtcp", a), given("/d/b.dmtcp", b)), Map.of()));
        // an image of an old agent knows no count: it speaks for itself
        assertNull(PartialRestart.of(List.of(given("/d/a.dmtcp", header("a", "c1", 3, 0, 10, "p"))), Map.of()));
    }

    @Test
    void theNewestImageAloneFindsItsPeerBesideIt() {
        ImageHeader parent = header("a", "c1", 3, 2, 10, "pingpong");
        ImageHeader child = header("b", "c1", 3, 2, 11, "pingpong");
        Map<Path, ImageHeader> beside = Map.of(
                Path.of("/d/a.dmtcp"), parent,
                Path.of("/d/b.dmtcp"), child,
                Path.of("/d/old.dmtcp"), header("o", "c1", 2, 2, 12, "pingpong"),   // another generation
                Path.of("/d/other.dmtcp"), header("x", "c2", 3, 2, 13, "pingpong")); // another computation
        PartialRestart p = PartialRestart.of(List.of(given("/d/a.dmtcp", parent)), beside);
        assertEquals(2, p.expected());
        assertEquals(1, p.missingCount());
        assertTrue(p.allFound());
        assertEquals(PartialRestart.SHORT_WAIT_MILLIS, p.waitMillis());
        assertEquals("pingpong (pid 11, image /d/b.dmtcp)", p.missingDescription(Path.of("/d")));
    }

    @Test
    void imagesBesideButRestartedElsewhereGetTheLongWaitAndAreStillNamed() {
        ImageHeader parent = header("a", "c1", 3, 2, 10, "server");
        ImageHeader child = header("b", "c1", 3, 2, 11, "client");
        Map<Path, ImageHeader> beside = Map.of(Path.of("/d/a.dmtcp"), parent, Path.of("/d/b.dmtcp"), child);
        PartialRestart p = PartialRestart.of(List.of(given("/d/a.dmtcp", parent)), beside).restartedElsewhere();
        assertFalse(p.allFound());
        assertTrue(p.waitMillis() > PartialRestart.SHORT_WAIT_MILLIS);
        assertEquals("client (pid 11, image /d/b.dmtcp)", p.missingDescription(Path.of("/d")));
    }

    @Test
    void missingImagesNotBesideGetTheLongWait() {
        ImageHeader a = header("a", "c1", 5, 3, 10, "make");
        ImageHeader b = header("b", "c1", 5, 3, 11, "cc");
        PartialRestart p = PartialRestart.of(List.of(given("/d/a.dmtcp", a)), Map.of(Path.of("/d/b.dmtcp"), b));
        assertFalse(p.allFound());
        assertTrue(p.waitMillis() > PartialRestart.SHORT_WAIT_MILLIS);
        assertEquals("cc (pid 11, image /d/b.dmtcp), 1 more process whose image is not in /d",
                p.missingDescription(Path.of("/d")));
        PartialRestart none = PartialRestart.of(List.of(given("/d/a.dmtcp", a)), Map.of());
        assertEquals("2 processes whose images are not in /d", none.missingDescription(Path.of("/d")));
    }

    @Test
    void aCopyOfAGivenProcesssImageIsNotAMissingOne() {
        ImageHeader a = header("a", "c1", 1, 2, 10, "p");
        PartialRestart p = PartialRestart.of(List.of(given("/d/a.dmtcp", a)),
                Map.of(Path.of("/d/a-copy.dmtcp"), a, Path.of("/d/a.dmtcp"), a));
        assertTrue(p.found().isEmpty());
        assertFalse(p.allFound());
    }

    @Test
    void theQuestionIsHeldUntilShortlyAfterTheCommandStartedButNeverTooBriefly() {
        assertEquals(PartialRestart.ASK_WITHIN_MILLIS, PartialRestart.holdMillis(0));
        assertEquals(PartialRestart.ASK_WITHIN_MILLIS - 300, PartialRestart.holdMillis(300));
        assertEquals(PartialRestart.ASK_HOLD_MIN_MILLIS, PartialRestart.holdMillis(PartialRestart.ASK_WITHIN_MILLIS));
        assertEquals(PartialRestart.ASK_HOLD_MIN_MILLIS, PartialRestart.holdMillis(5_000));
        assertEquals(PartialRestart.ASK_WITHIN_MILLIS, PartialRestart.holdMillis(-20)); // a clock step back
        assertTrue(PartialRestart.ASK_WITHIN_MILLIS < 1000, "the refusal must come within a second");
    }
}
