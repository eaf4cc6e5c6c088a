package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart of only some of a computation's images: the coordinator gives the gathering up when
 * no further process comes in time, instead of leaving the restored ones waiting forever, but a
 * second restart command that comes soon still completes it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PartialRestartTest {
    private static final String COMPID = "00112233aabbccdd-7779-18c0ffee";

    @TempDir
    Path dir;

    private static Map<String, String> expect(int generation, long waitMillis, String missing) {
        return Map.of("compid", COMPID, "generation", String.valueOf(generation), "wait_ms",
                String.valueOf(waitMillis), "missing", missing);
    }

    @Test
    void anIncompleteRestartIsRefusedNamingWhatIsMissing() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertTrue(coord.command("restart-expect", expect(4, 300, "prog-b (pid 77, image /d/ckpt_b.dmtcp)")).isOk());
            long start = System.nanoTime();
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 4, 2)) {
                Message refused = a.expect("REFUSED");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                String reason = refused.get("reason");
                assertTrue(reason.contains("had 2 processes at generation 4"), reason);
                assertTrue(reason.contains("prog-a (ckpt_a.dmtcp)"), reason);
                assertTrue(reason.contains("1 is missing: prog-b (pid 77, image /d/ckpt_b.dmtcp)"), reason);
                assertTrue(reason.contains("dmtcp_restart ckpt_*.dmtcp") && reason.contains("./dmtcp_restart_script.sh"),
                        reason);
                assertTrue(ms >= 250 && ms < 10_000, "refused after " + ms + " ms");
                assertClosed(a);
            }
            TestCoordinator.await(() -> coord.coordinator.status().peers() == 0);
            assertTrue(coord.coordinator.status().lastError().contains("restart refused"),
                    coord.coordinator.status().lastError());
            // the coordinator is free again: the whole computation can now be restarted
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 4, 2);
                    FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 4, 2)) {
                a.expectEvent("RESTART", 4);
                b.expectEvent("RESTART", 4);
            }
        }
    }

    @Test
    void aSecondCommandThatComesInTimeCompletesTheRestart() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertTrue(coord.command("restart-expect", expect(2, 3000, "prog-b")).isOk());
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 2, 2)) {
                Thread.sleep(500);
                try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 2, 2)) {
                    a.expectEvent("RESTART", 2);
                    b.expectEvent("RESTART", 2);
                    a.arrive("RESTART", 2);
                    b.arrive("RESTART", 2);
                    a.expectEvent("RESUME", 2);
                    b.expectEvent("RESUME", 2);
                    a.arrive("RESUME", 2);
                    b.arrive("RESUME", 2);
                    TestCoordinator.await(() -> coord.coordinator.status().running());
                    // the timeout armed for the gathering must not hit the running computation
                    Thread.sleep(1500);
                    assertTrue(a.nothingPending() && b.nothingPending());
                    assertEquals(2, coord.coordinator.status().peers());
                }
            }
        }
    }

    @Test
    void aSecondFrontEndsWordMeansSeparateCommandsAndTheLongWait() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertTrue(coord.command("restart-expect", expect(6, 300, "prog-b")).isOk());
            assertTrue(coord.command("restart-expect", expect(6, 300, "prog-a")).isOk());
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 6, 2)) {
                Thread.sleep(1500);
                assertTrue(a.nothingPending(), "refused although a second command announced itself");
                try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 6, 2)) {
                    a.expectEvent("RESTART", 6);
                    b.expectEvent("RESTART", 6);
                }
            }
        }
        try (TestCoordinator coord = TestCoordinator.start(dir.resolve("2"))) {
            assertTrue(coord.command("restart-expect", expect(6, 300, "prog-b")).isOk());
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 6, 2)) {
                // the second command announces itself while the first one's process waits
                assertTrue(coord.command("restart-expect", expect(6, 300, "prog-a")).isOk());
                Thread.sleep(1500);
                assertTrue(a.nothingPending(), "refused although a second command announced itself");
                try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 6, 2)) {
                    a.expectEvent("RESTART", 6);
                    b.expectEvent("RESTART", 6);
                }
            }
        }
    }

    @Test
    void eachJoinGivesTheOthersTheWaitAgain() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertTrue(coord.command("restart-expect", expect(3, 2000, "")).isOk());
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 3, 3)) {
                Thread.sleep(1200);
                try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 3, 3)) {
                    Thread.sleep(1200); // 2.4 s after a joined: a's own wait is over, b's is not
                    try (FakeWorker c = FakeWorker.restore(coord.port, coord.secret, "c", COMPID, 3, 3)) {
                        for (FakeWorker w : List.of(a, b, c)) {
                            w.expectEvent("RESTART", 3);
                        }
                    }
                }
            }
        }
    }

    @Test
    void withoutAFrontEndWordTheDefaultWaitApplies() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 5, 2)) {
            Thread.sleep(1500);
            assertTrue(a.nothingPending(), "refused before the default wait");
            try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 5, 2)) {
                a.expectEvent("RESTART", 5);
                b.expectEvent("RESTART", 5);
            }
        }
    }

    @Test
    void aBadWordIsRefused() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertFalse(coord.command("restart-expect", Map.of("compid", COMPID, "generation", "x", "wait_ms", "1"))
                    .isOk());
            assertFalse(coord.command("restart-expect", Map.of("generation", "1", "wait_ms", "1")).isOk());
        }
    }

    private static Map<String, String> ask(int generation, String missing) {
        return Map.of("compid", COMPID, "generation", String.valueOf(generation), "wait_ms", "1000", "missing",
                missing, "hold_ms", "600");
    }

    @Test
    void aFrontEndAloneIsToldSoAfterTheHoldAndItsWordIsWithdrawn() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            long start = System.nanoTime();
            Message r = coord.command("restart-expect", ask(8, "prog-b"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(r.isOk(), r.toString());
            assertEquals("0", r.get("others"), r.toString());
            assertTrue(ms >= 500 && ms < 10_000, "answered after " + ms + " ms");
            // withdrawn: a later command alone is alone too, not a second command of the same restart
            assertEquals("0", coord.command("restart-expect", ask(8, "prog-a")).get("others"));
            // a process of it that comes anyway gets the default wait, not the withdrawn 1 s
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 8, 2)) {
                Thread.sleep(1500);
                assertTrue(a.nothingPending(), "refused with a withdrawn word's wait");
            }
        }
    }

    @Test
    void frontEndsStartedTogetherFindEachOther() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            CompletableFuture<Message> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return coord.command("restart-expect", ask(9, "prog-b"));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(200); // the first one's question is held
            Message second = coord.command("restart-expect", ask(9, "prog-a"));
            assertEquals("1", second.get("others"), second.toString());
            assertEquals("1", first.get(10, TimeUnit.SECONDS).get("others"));
            // two commands: the long wait, so their processes meet however far apart they come
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 9, 2)) {
                Thread.sleep(1500);
                assertTrue(a.nothingPending(), "refused although two commands restart it");
                try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 9, 2)) {
                    a.expectEvent("RESTART", 9);
                    b.expectEvent("RESTART", 9);
                }
            }
        }
    }

    @Test
    void aProcessOfTheRestartJoiningAnswersTheHeldQuestion() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            CompletableFuture<Message> asked = CompletableFuture.supplyAsync(() -> {
                try {
                    return coord.command("restart-expect", Map.of("compid", COMPID, "generation", "10", "wait_ms",
                            "1000", "hold_ms", "5000"));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(200);
            try (FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 10, 2)) {
                assertEquals("1", asked.get(3, TimeUnit.SECONDS).get("others"));
            }
            assertFalse(coord.command("restart-expect", Map.of("compid", COMPID, "generation", "1", "wait_ms", "1",
                    "hold_ms", "x")).isOk());
        }
    }

    @Test
    void theRefusalSaysWhatToDo() {
        String r = RestartGathering.refusal("c-1", 7, 3, List.of("p (x.dmtcp)"), "", 1000);
        assertEquals("restart refused: computation c-1 had 3 processes at generation 7, but only 1 was restarted"
                + " (p (x.dmtcp)) and no other came within 1 s; 2 are missing. Restart all 3 images of computation"
                + " c-1, generation 7 together: dmtcp_restart ckpt_*.dmtcp (the images of that generation) or"
                + " ./dmtcp_restart_script.sh", r);
    }

    private static void assertClosed(FakeWorker w) {
        try {
            Message m = w.receive();
            throw new AssertionError("the connection stayed open: " + m);
        } catch (EOFException e) {
            // closed, as it must be
        } catch (IOException e) {
            // reset: closed as well
        }
    }
}
