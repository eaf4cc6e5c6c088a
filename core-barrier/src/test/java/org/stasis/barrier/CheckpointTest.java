package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void pluginNotesReachTheResultNamingTheWorker() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            for (String barrier : Barriers.CHECKPOINT) {
                a.expectEvent(barrier, 1);
                b.expectEvent(barrier, 1);
                if (barrier.equals("PRECHECKPOINT")) {
                    a.arrive(barrier, 1);
                    b.arriveWithNote(barrier, 1, "sockets: one will come back closed\tfiles: another");
                } else {
                    a.arrive(barrier, 1);
                    b.arrive(barrier, 1);
                }
            }
            for (FakeWorker w : List.of(a, b)) {
                w.durable(1);
            }
            for (FakeWorker w : List.of(a, b)) {
                w.expect("COMMIT");
                w.committed(1);
            }
            Message r = result.get(10, TimeUnit.SECONDS);
            assertTrue(r.isOk(), r.toString());
            assertEquals("2", r.get("notes"));
            assertTrue(r.get("note.1").matches("worker 2 \\(prog-b, pid \\d+ on [^)]+\\): sockets: one will come back closed"),
                    r.toString());
            assertTrue(r.get("note.2").endsWith("): files: another"), r.toString());
        }
    }

    @Test
    void fullCheckpointWithBlockingCommandAndRestartScript() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker w = coord.launch("w1")) {
            assertEquals("1", w.welcome.get("worker"));
            String compid = w.welcome.get("compid");
            assertTrue(compid.matches("[0-9a-f]{16}-" + coord.port + "-[0-9a-f]+"), compid);
            assertEquals("0", w.welcome.get("generation"));

            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            FakeWorker.answerCheckpoint(List.of(w), 1);
            Message r = result.get(10, TimeUnit.SECONDS);
            assertTrue(r.isOk(), r.toString());
            assertEquals("1", r.get("generation"));
            assertEquals("1", r.get("images"));

            CoordinatorStatus s = coord.coordinator.status();
            assertEquals(1, s.generation());
            assertEquals("ok", s.lastResult());
            assertEquals(List.of(w.image()), s.lastImages());
            assertFalse(s.checkpointInProgress());
            assertTrue(s.running());

            Path script = coord.ckptDir.resolve("dmtcp_restart_script_" + compid + ".sh");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
            Path link = coord.ckptDir.resolve("dmtcp_restart_script.sh");
            assertTrue(Files.isSymbolicLink(link));
            assertEquals(script.getFileName(), Files.readSymbolicLink(link));
            String text = Files.readString(link);
            assertTrue(text.startsWith("#!/bin/bash\n"));
            assertTrue(text.contains("'" + w.image() + "'"), text);
            assertTrue(text.contains("restart='" + coord.dir.resolve("home/bin/dmtcp_restart").toAbsolutePath() + "'"),
                    text);

            Message status = coord.command("status");
            assertEquals("1", status.get("generation"));
            assertEquals("ok", status.get("last_result"));
            assertEquals(w.image(), status.get("last_images"));
            assertEquals("no", status.get("ckpt_in_progress"));
            assertEquals("yes", status.get("running"));
            assertEquals(compid, status.get("compid"));
            assertTrue(coord.coordinator.statusText().contains("GENERATION=1\n  LAST_CKPT=ok\n"),
                    coord.coordinator.statusText());
        }
    }

    @Test
    void secondRequestWhileInProgressIsRefusedAndNonBlockingCheckpointAnswersAtOnce() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker w = coord.launch("w1")) {
            Message first = coord.command("checkpoint");
            assertTrue(first.isOk());
            assertEquals("1", first.get("generation"));
            Message second = coord.command("checkpoint");
            assertFalse(second.isOk());
            assertEquals("checkpoint already in progress", second.get("error"));
            assertEquals("yes", coord.command("status").get("ckpt_in_progress"));
            assertFalse(coord.coordinator.checkpoint().get(5, TimeUnit.SECONDS).ok());
            FakeWorker.answerCheckpoint(List.of(w), 1);
            TestCoordinator.await(() -> coord.coordinator.status().generation() == 1);
        }
    }

    @Test
    void pluginFailureAbortsTheGenerationAndTheOthersAreToldToResume() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            for (String barrier : List.of("PRESUSPEND", "SUSPEND")) {
                a.expectEvent(barrier, 1);
                b.expectEvent(barrier, 1);
                a.arrive(barrier, 1);
                b.arrive(barrier, 1);
            }
            a.expectEvent("PRECHECKPOINT", 1);
            b.expectEvent("PRECHECKPOINT", 1);
            a.arrive("PRECHECKPOINT", 1);
            b.fail("PRECHECKPOINT", 1, "files", "cannot save /tmp/x: EACCES");

            Message abortA = a.expect("ABORT");
            Message abortB = b.expect("ABORT");
            assertEquals("1", abortA.get("generation"));
            assertEquals(abortA, abortB);
            Message r = result.get(10, TimeUnit.SECONDS);
            assertFalse(r.isOk());
            String error = r.get("error");
            assertTrue(error.contains("worker 2") && error.contains("PRECHECKPOINT") && error.contains("plugin files")
                    && error.contains("EACCES"), error);

            CoordinatorStatus s = coord.coordinator.status();
            assertEquals("failed", s.lastResult());
            assertEquals(error, s.lastError());
            assertEquals(0, s.generation());
            assertFalse(s.checkpointInProgress());
            assertTrue(s.running(), "workers resume after ABORT");
            assertTrue(coord.coordinator.statusText().contains("LAST_CKPT=failed: " + error));

            // A late answer to the aborted generation changes nothing, and the next attempt
            // gets a fresh number.
            a.arrive("WRITE", 1);
            Message next = coord.command("checkpoint");
            assertEquals("2", next.get("generation"));
            FakeWorker.answerCheckpoint(List.of(a, b), 2);
            TestCoordinator.await(() -> coord.coordinator.status().generation() == 2);
            assertEquals("ok", coord.coordinator.status().lastResult());
        }
    }

    @Test
    void durableFailureAbortsTheGeneration() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker w = coord.launch("w1")) {
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            for (String barrier : Barriers.CHECKPOINT) {
                w.expectEvent(barrier, 1);
                w.arrive(barrier, 1);
            }
            w.send(Message.builder("DURABLE").put("generation", 1).put("ok", 0).put("error", "No space left on device")
                    .build());
            assertEquals("1", w.expect("ABORT").get("generation"));
            CheckpointResult r = result.get(10, TimeUnit.SECONDS);
            assertFalse(r.ok());
            assertTrue(r.error().contains("No space left"), r.error());
            assertFalse(Files.exists(coord.ckptDir.resolve("dmtcp_restart_script.sh")));
        }
    }

    @Test
    void aWorkerLostAfterItsStateWasTakenAbortsTheGeneration() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker a = coord.launch("a")) {
            FakeWorker b = coord.launch("b");
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            for (String step : List.of("PRESUSPEND", "SUSPEND", "PRECHECKPOINT", "WRITE")) {
                a.expectEvent(step, 1);
                b.expectEvent(step, 1);
                a.arrive(step, 1);
                b.arrive(step, 1);
            }
            a.expectEvent("RESUME", 1);
            b.close(); // its image may never be complete: nothing to retry

            Message abort = a.expect("ABORT");
            assertTrue(abort.get("reason").contains("disconnected during RESUME"), abort.toString());
            CheckpointResult r = result.get(10, TimeUnit.SECONDS);
            assertFalse(r.ok());
            assertEquals(abort.get("reason"), r.error());
            CoordinatorStatus s = coord.coordinator.status();
            assertEquals(1, s.peers());
            assertEquals("failed", s.lastResult());
            assertTrue(s.running());
        }
    }

    @Test
    void aWorkerThatEndsBeforeItsStateIsTakenIsLeftOutOfARetry() throws Exception {
        // A short-lived child that exits while the checkpoint runs: the computation no longer has it.
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker a = coord.launch("a")) {
            FakeWorker b = coord.launch("b");
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            a.expectEvent("PRESUSPEND", 1);
            b.expectEvent("PRESUSPEND", 1);
            a.arrive("PRESUSPEND", 1);
            b.arrive("PRESUSPEND", 1);
            a.expectEvent("SUSPEND", 1);
            b.expectEvent("SUSPEND", 1);
            a.arrive("SUSPEND", 1);
            b.close();

            Message abort = a.expect("ABORT");
            assertTrue(abort.get("reason").contains("a process ended during the checkpoint; retrying"),
                    abort.toString());
            FakeWorker.answerCheckpoint(List.of(a), 2);
            CheckpointResult r = result.get(10, TimeUnit.SECONDS);
            assertTrue(r.ok(), r.toString());
            assertEquals(2, r.generation());
            assertEquals(1, r.images().size());
            assertEquals("ok", coord.coordinator.status().lastResult());
        }
    }

    @Test
    void aCheckpointFailsWhenEveryProcessEnds() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            FakeWorker a = coord.launch("a");
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            a.expectEvent("PRESUSPEND", 1);
            a.close();
            CheckpointResult r = result.get(10, TimeUnit.SECONDS);
            assertFalse(r.ok());
            assertTrue(r.error().contains("every process of the computation ended"), r.error());
        }
    }

    @Test
    void durableMayOvertakeASlowPeersResume() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            for (String barrier : Barriers.CHECKPOINT) {
                a.expectEvent(barrier, 1);
                b.expectEvent(barrier, 1);
                a.arrive(barrier, 1);
                if (barrier.equals("RESUME")) {
                    a.durable(1);
                }
                b.arrive(barrier, 1);
            }
            b.durable(1);
            for (FakeWorker w : List.of(a, b)) {
                w.expect("COMMIT");
                w.committed(1);
            }
            CheckpointResult r = result.get(10, TimeUnit.SECONDS);
            assertTrue(r.ok(), r.toString());
            assertEquals(List.of(a.image(), b.image()), r.images());
        }
    }

    @Test
    void durableMayOvertakeAPeerThatHasNotArrivedAtWrite() throws Exception {
        // A process with a tiny image (a sleep of a shell loop) is done writing before its parent
        // has even arrived at WRITE: its DURABLE must be kept, or the generation never ends.
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            CompletableFuture<CheckpointResult> result = coord.coordinator.checkpoint();
            for (String barrier : Barriers.CHECKPOINT) {
                a.expectEvent(barrier, 1);
                b.expectEvent(barrier, 1);
                a.arrive(barrier, 1);
                if (barrier.equals("WRITE")) {
                    a.durable(1);
                    // b's arrival must not overtake it: the coordinator sees a's DURABLE at WRITE
                    Thread.sleep(300);
                }
                b.arrive(barrier, 1);
            }
            b.durable(1);
            for (FakeWorker w : List.of(a, b)) {
                w.expect("COMMIT");
                w.committed(1);
            }
            CheckpointResult r = result.get(10, TimeUnit.SECONDS);
            assertTrue(r.ok(), r.toString());
            assertEquals(List.of(a.image(), b.image()), r.images());
        }
    }

    @Test
    void checkpointWithoutWorkersFailsFast() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            Message r = coord.command("bcheckpoint");
            assertFalse(r.isOk());
            assertEquals("no workers connected", r.get("error"));
        }
    }
}
