package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RestartAndNameServiceTest {
    private static final String COMPID = "00112233aabbccdd-7779-18c0ffee";

    @TempDir
    Path dir;

    @Test
    void restartWaitsForAllPeersThenDrivesRestartAndResume() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 5, 2)) {
            assertEquals(COMPID, a.welcome.get("compid"));
            assertEquals("5", a.welcome.get("generation"));
            // A round trip through the loop: had the coordinator sent anything to a, it would
            // be in a's socket buffer by now.
            CoordinatorStatus waiting = coord.coordinator.status();
            assertTrue(a.nothingPending(), "restart must wait for the second peer");
            assertEquals(1, waiting.peers());
            assertFalse(waiting.running());
            assertFalse(coord.command("checkpoint").isOk(), "no checkpoint while a restart gathers");

            try (FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 5, 2)) {
                for (String barrier : List.of("RESTART", "RESUME")) {
                    a.expectEvent(barrier, 5);
                    b.expectEvent(barrier, 5);
                    a.arrive(barrier, 5);
                    b.arrive(barrier, 5);
                }
                TestCoordinator.await(() -> coord.coordinator.status().running());
                assertEquals(5, coord.coordinator.status().generation());
                assertEquals(COMPID, coord.coordinator.status().compid());

                Message next = coord.command("checkpoint");
                assertEquals("6", next.get("generation"));
                FakeWorker.answerCheckpoint(List.of(a, b), 6);
                TestCoordinator.await(() -> coord.coordinator.status().generation() == 6);
            }
        }
    }

    @Test
    void restartOfAnotherComputationIsRefusedWhileOneRuns() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker running = coord.launch("live")) {
            AssertionError refused = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> FakeWorker.restore(coord.port, coord.secret, "old", COMPID, 3, 1));
            assertTrue(refused.getMessage().contains("REFUSED"), refused.getMessage());
            assertEquals(1, coord.coordinator.status().peers());
        }
    }

    @Test
    void failedRestartBarrierIsReported() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 2, 1)) {
            a.expectEvent("RESTART", 2);
            a.fail("RESTART", 2, "sockets", "peer address gone");
            assertEquals("2", a.expect("ABORT").get("generation"));
            CoordinatorStatus s = coord.coordinator.status();
            assertEquals("failed", s.lastResult());
            assertTrue(s.lastError().contains("restart failed") && s.lastError().contains("peer address gone"),
                    s.lastError());
        }
    }

    @Test
    void keyValueStore() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            a.send(Message.builder("KV_PUT").put("key", "files/fd3").put("value", "/data/in.txt=rw").build());
            assertEquals("files/fd3", a.expect("KV_OK").get("key"));
            b.send(Message.builder("KV_GET").put("key", "files/fd3").build());
            Message found = b.expect("KV_VALUE");
            assertEquals("1", found.get("found"));
            assertEquals("/data/in.txt=rw", found.get("value"));
            b.send(Message.builder("KV_GET").put("key", "files/none").build());
            Message missing = b.expect("KV_VALUE");
            assertEquals("0", missing.get("found"));
            assertEquals("", missing.get("value"));
        }
    }

    @Test
    void namedBarrierReleasesOnlyWhenAllLiveWorkersArrived() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b");
                FakeWorker c = coord.launch("c")) {
            a.send(Message.builder("BARRIER").put("name", "sockets/drained").build());
            b.send(Message.builder("BARRIER").put("name", "sockets/drained").build());
            coord.coordinator.status();
            assertTrue(a.nothingPending() && b.nothingPending() && c.nothingPending());
            c.send(Message.builder("BARRIER").put("name", "sockets/drained").build());
            for (FakeWorker w : List.of(a, b, c)) {
                assertEquals("sockets/drained", w.expect("RELEASE").get("name"));
            }

            // A worker that leaves no longer holds the others up.
            a.send(Message.builder("BARRIER").put("name", "second").build());
            b.send(Message.builder("BARRIER").put("name", "second").build());
            coord.coordinator.status();
            assertTrue(a.nothingPending());
            c.close();
            assertEquals("second", a.expect("RELEASE").get("name"));
            assertEquals("second", b.expect("RELEASE").get("name"));
        }
    }
}
