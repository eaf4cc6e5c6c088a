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
    void manyKeysInOneFrameEachWay() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            // puts are not answered: the get after them finds them, the coordinator reading in order
            a.send(Message.builder("KV_PUTS").put("count", 2).put("key.1", "sockets/x").put("value.1", "1")
                    .put("key.2", "sockets/y").put("value.2", "two words").build());
            a.send(Message.builder("KV_GETS").put("id", 7).put("count", 3).put("key.1", "sockets/y")
                    .put("key.2", "sockets/none").put("key.3", "sockets/x").build());
            Message values = a.expect("KV_VALUES");
            assertEquals("7", values.get("id"));
            assertEquals("3", values.get("count"));
            assertEquals("1", values.get("found.1"));
            assertEquals("two words", values.get("value.1"));
            assertEquals("0", values.get("found.2"));
            assertEquals("1", values.get("found.3"));
            assertEquals("1", values.get("value.3"));

            String big = "v".repeat(40_000);
            b.send(Message.builder("KV_PUTS").put("count", 1).put("key.1", "sockets/big1").put("value.1", big).build());
            b.send(Message.builder("KV_PUTS").put("count", 1).put("key.1", "sockets/big2").put("value.1", "w".repeat(30_000))
                    .build());
            b.send(Message.builder("KV_GETS").put("id", 8).put("count", 2).put("key.1", "sockets/big1")
                    .put("key.2", "sockets/big2").build());
            Message tooBig = b.expect("KV_VALUES");
            assertEquals("8", tooBig.get("id"));
            assertEquals("1", tooBig.get("too_big"), "two values past one frame are refused, to be asked alone");
            b.send(Message.builder("KV_GET").put("key", "sockets/big1").build());
            assertEquals(big, b.expect("KV_VALUE").get("value"));
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
