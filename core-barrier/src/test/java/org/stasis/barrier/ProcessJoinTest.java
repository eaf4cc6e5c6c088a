package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fresh workers (forked or exec'd processes) that join while a generation is under way. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessJoinTest {
    private static final String COMPID = "00112233aabbccdd-7779-18c0ffee";
    private static final String RETRYING = "a new process joined during the checkpoint; retrying";

    @TempDir
    Path dir;

    @Test
    void joinDuringCheckpointRetriesAndTheWaiterGetsTheRetryWithTheNewWorker() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker parent = coord.launch("parent")) {
            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            parent.expectEvent("PRESUSPEND", 1);
            parent.arrive("PRESUSPEND", 1);
            parent.expectEvent("SUSPEND", 1);

            try (FakeWorker child = coord.launch("child")) {
                Message abort = parent.expect("ABORT");
                assertEquals("1", abort.get("generation"));
                assertEquals(RETRYING, abort.get("reason"));
                // A late answer to the abandoned generation must not count towards the retry.
                parent.arrive("SUSPEND", 1);
                assertEquals("yes", coord.command("status").get("ckpt_in_progress"));
                assertFalse(result.isDone(), "the waiter waits for the retry");

                // The child never saw generation 1: its first message after WELCOME is the retry's EVENT.
                FakeWorker.answerCheckpoint(List.of(parent, child), 2);
                Message r = result.get(10, TimeUnit.SECONDS);
                assertTrue(r.isOk(), r.toString());
                assertEquals("2", r.get("generation"));
                assertEquals("2", r.get("images"));

                CoordinatorStatus s = coord.coordinator.status();
                assertEquals(2, s.generation());
                assertEquals("ok", s.lastResult());
                assertEquals(List.of(parent.image(), child.image()), s.lastImages());
                // One dmtcp_restart brings back the whole tree of this host, as DMTCP's script does.
                String script = Files.readString(coord.ckptDir.resolve("dmtcp_restart_script.sh"));
                assertTrue(script.contains("images=(\n  '" + parent.image() + "'\n  '" + child.image() + "'\n)"),
                        script);
                assertEquals(1, script.lines().filter(l -> l.trim().startsWith("exec ")).count(), script);
                assertTrue(script.contains("exec \"$restart\" --coord-host \"$coord_host\" --coord-port \"$coord_port\""
                        + " \"${here_options[@]}\" \"${images[@]}\"\n"), script);
            }
        }
    }

    @Test
    void joinAfterCommitWasSentAlsoRetries() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker parent = coord.launch("parent")) {
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            for (String barrier : Barriers.CHECKPOINT) {
                parent.expectEvent(barrier, 1);
                parent.arrive(barrier, 1);
            }
            parent.send(Message.builder("DURABLE").put("generation", 1).put("ok", 1).put("image", parent.image())
                    .build());
            parent.expect("COMMIT");
            // Its HELLO may come late: the child can have been forked before SUSPEND.
            try (FakeWorker child = coord.launch("child")) {
                assertEquals(RETRYING, parent.expect("ABORT").get("reason"));
                FakeWorker.answerCheckpoint(List.of(parent, child), 2);
                CheckpointResult r = result.get(10, TimeUnit.SECONDS);
                assertTrue(r.ok(), r.toString());
                assertEquals(2, r.generation());
                assertEquals(List.of(parent.image(), child.image()), r.images());
            }
        }
    }

    @Test
    void aRequestGivesUpAfterTooManyRetriesAndTheNextStartsCountingAfresh() throws Exception {
        int max = CoordinatorKernel.MAX_CHECKPOINT_RETRIES;
        List<FakeWorker> children = new ArrayList<>();
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker parent = coord.launch("parent")) {
            try {
                CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
                parent.expectEvent("PRESUSPEND", 1);
                for (int g = 1; g <= max; g++) {
                    children.add(coord.launch("child" + g));
                    Message abort = parent.expect("ABORT");
                    assertEquals(String.valueOf(g), abort.get("generation"));
                    assertEquals(RETRYING, abort.get("reason"));
                    parent.expectEvent("PRESUSPEND", g + 1);
                }
                assertFalse(result.isDone());

                children.add(coord.launch("one-too-many"));
                String reason = "processes kept starting or ending during the checkpoint (" + max + " retries)";
                Message abort = parent.expect("ABORT");
                assertEquals(String.valueOf(max + 1), abort.get("generation"));
                assertEquals(reason, abort.get("reason"));
                CheckpointResult r = result.get(10, TimeUnit.SECONDS);
                assertFalse(r.ok());
                assertEquals(max + 1, r.generation());
                assertEquals(reason, r.error());
                CoordinatorStatus s = coord.coordinator.status();
                assertEquals("failed", s.lastResult());
                assertEquals(reason, s.lastError());
                assertFalse(s.checkpointInProgress());
                assertEquals(0, s.generation());
                assertTrue(children.get(max).nothingPending(), "the last child never saw a generation");
            } finally {
                closeAll(children);
            }
            TestCoordinator.await(() -> coord.coordinator.status().peers() == 1);

            int g = max + 2;
            CompletableFuture<CheckpointResult> next = coord.coordinator.checkpoint();
            parent.expectEvent("PRESUSPEND", g);
            try (FakeWorker child = coord.launch("late")) {
                assertEquals(RETRYING, parent.expect("ABORT").get("reason"));
                FakeWorker.answerCheckpoint(List.of(parent, child), g + 1);
                CheckpointResult r = next.get(10, TimeUnit.SECONDS);
                assertTrue(r.ok(), r.toString());
                assertEquals(g + 1, r.generation());
            }
        }
    }

    @Test
    void aWorkerThatExecsDuringACheckpointIsCheckpointedAsItsNewProgram() throws Exception {
        // What a process that calls exec does: its connection closes, its new program joins fresh.
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker a = coord.launch("a")) {
            FakeWorker before = coord.launch("before-exec");
            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            a.expectEvent("PRESUSPEND", 1);
            before.expectEvent("PRESUSPEND", 1);
            a.arrive("PRESUSPEND", 1);
            before.close();
            Message abort = a.expect("ABORT");
            assertTrue(abort.get("reason").contains("a process ended during the checkpoint; retrying"), abort.toString());
            a.expectEvent("PRESUSPEND", 2);

            try (FakeWorker after = coord.launch("after-exec")) {
                assertEquals(RETRYING, a.expect("ABORT").get("reason"));
                FakeWorker.answerCheckpoint(List.of(a, after), 3);
                Message r = result.get(10, TimeUnit.SECONDS);
                assertTrue(r.isOk(), r.toString());
                assertEquals("3", r.get("generation"));
                assertEquals("ok", coord.command("status").get("last_result"));
            }
        }
    }

    @Test
    void aPluginBarrierArrivalFromAnAbandonedGenerationIsNotCountedInTheNext() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker parent = coord.launch("parent")) {
            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            parent.expectEvent("PRESUSPEND", 1);
            try (FakeWorker child = coord.launch("child")) {
                parent.expect("ABORT");
                parent.expectEvent("PRESUSPEND", 2);
                child.expectEvent("PRESUSPEND", 2);
                // sent by a plugin before the parent read the ABORT: it arrives after the abort
                parent.send(barrier("files/pipes-claimed", 1));
                roundTrip(parent);
                parent.arrive("PRESUSPEND", 2);
                child.arrive("PRESUSPEND", 2);
                for (String step : List.of("SUSPEND")) {
                    for (FakeWorker w : List.of(parent, child)) {
                        w.expectEvent(step, 2);
                        w.arrive(step, 2);
                    }
                }
                parent.expectEvent("PRECHECKPOINT", 2);
                child.expectEvent("PRECHECKPOINT", 2);
                child.send(barrier("files/pipes-claimed", 2));
                // the next answer the child gets is the store's, not a RELEASE: the barrier waits
                roundTrip(child);
                parent.send(barrier("files/pipes-claimed", 2));
                for (FakeWorker w : List.of(parent, child)) {
                    Message release = w.expect("RELEASE");
                    assertEquals("files/pipes-claimed", release.get("name"));
                    assertEquals("2", release.get("generation"));
                }
                for (FakeWorker w : List.of(parent, child)) {
                    w.arrive("PRECHECKPOINT", 2);
                }
                for (String step : List.of("WRITE", "RESUME")) {
                    for (FakeWorker w : List.of(parent, child)) {
                        w.expectEvent(step, 2);
                        w.arrive(step, 2);
                    }
                }
                for (FakeWorker w : List.of(parent, child)) {
                    w.durable(2);
                }
                for (FakeWorker w : List.of(parent, child)) {
                    w.expect("COMMIT");
                    w.committed(2);
                }
                Message r = result.get(10, TimeUnit.SECONDS);
                assertTrue(r.isOk(), r.toString());
                assertEquals("2", r.get("generation"));
            }
        }
    }

    private static Message barrier(String name, int generation) {
        return Message.builder("BARRIER").put("name", name).put("generation", generation).build();
    }

    /** A store request and its answer: everything the coordinator sent before it was read first. */
    private static void roundTrip(FakeWorker w) throws IOException {
        w.send(Message.builder("KV_GET").put("key", "test/ping").build());
        Message m = w.expect("KV_VALUE");
        assertEquals("test/ping", m.get("key"));
    }

    @Test
    void freshJoinsDuringARestartAreNotPartOfItAndJoinTheNextCheckpoint() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = FakeWorker.restore(coord.port, coord.secret, "a", COMPID, 5, 2)) {
            try (FakeWorker whileGathering = coord.launch("gathering");
                    FakeWorker b = FakeWorker.restore(coord.port, coord.secret, "b", COMPID, 5, 2)) {
                assertEquals(COMPID, whileGathering.welcome.get("compid"));
                a.expectEvent("RESTART", 5);
                b.expectEvent("RESTART", 5);
                try (FakeWorker whileRestarting = coord.launch("restarting")) {
                    assertEquals(COMPID, whileRestarting.welcome.get("compid"));
                    assertEquals("5", whileRestarting.welcome.get("generation"));
                    for (String barrier : List.of("RESTART", "RESUME")) {
                        if (!barrier.equals("RESTART")) {
                            a.expectEvent(barrier, 5);
                            b.expectEvent(barrier, 5);
                        }
                        a.arrive(barrier, 5);
                        b.arrive(barrier, 5);
                    }
                    TestCoordinator.await(() -> coord.coordinator.status().running());
                    assertEquals("none", coord.coordinator.status().lastResult());
                    assertTrue(whileGathering.nothingPending() && whileRestarting.nothingPending());

                    Message next = coord.command("checkpoint");
                    assertEquals("6", next.get("generation"));
                    FakeWorker.answerCheckpoint(List.of(a, whileGathering, b, whileRestarting), 6);
                    TestCoordinator.await(() -> coord.coordinator.status().generation() == 6);
                    assertEquals(4, coord.coordinator.status().lastImages().size());
                }
            }
        }
    }

    private static void closeAll(List<FakeWorker> workers) throws IOException {
        for (FakeWorker w : workers) {
            w.close();
        }
    }
}
