package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LifecycleTest {
    @TempDir
    Path dir;

    @Test
    void portFileAndPrivateSecretFileWhileRunningSecretDeletedOnClose() throws Exception {
        Path secretFile;
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertEquals(coord.port + "\n", Files.readString(dir.resolve("port")));
            secretFile = Secrets.secretFile(coord.secretDir, "localhost", coord.port);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(coord.secretDir)));
            assertTrue(coord.secret.matches("[0-9a-f]{64}"));
        }
        assertFalse(Files.exists(secretFile));
    }

    @Test
    void portInUseIsReportedPlainly() throws Exception {
        try (TestCoordinator first = TestCoordinator.start(dir)) {
            CoordinatorConfig clash = new CoordinatorConfig("127.0.0.1", first.port, null, dir.resolve("c2"), 0, false,
                    false, null, dir.resolve("s2"));
            try (Coordinator second = new Coordinator(clash)) {
                IOException e = assertThrows(IOException.class, second::start);
                assertEquals("port " + first.port + " is already in use by another program or coordinator",
                        e.getMessage());
            }
            assertEquals(0, first.coordinator.status().peers());
        }
    }

    @Test
    void intervalTriggersCheckpointsAndCanBeChangedAtRuntime() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir, 1, false, false); FakeWorker w = coord.launch("w1")) {
            assertEquals(1, coord.coordinator.status().interval());
            FakeWorker.answerCheckpoint(List.of(w), 1);
            TestCoordinator.await(() -> coord.coordinator.status().generation() == 1);

            Message off = coord.command("interval", Map.of("value", "0"));
            assertTrue(off.isOk(), off.toString());
            assertTrue(coord.coordinator.statusText().contains("CKPT_INTERVAL=0 (checkpoint manually)"));
            assertFalse(coord.command("interval", Map.of("value", "-3")).isOk());

            coord.coordinator.setInterval(1);
            FakeWorker.answerCheckpoint(List.of(w), 2);
            TestCoordinator.await(() -> coord.coordinator.status().generation() == 2);
            coord.coordinator.setInterval(0);
        }
    }

    @Test
    void exitOnLastTerminatesWhenTheLastWorkerLeaves() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir, 0, true, false)) {
            Path secretFile = Secrets.secretFile(coord.secretDir, "127.0.0.1", coord.port);
            FakeWorker a = coord.launch("a");
            FakeWorker b = coord.launch("b");
            a.close();
            TestCoordinator.await(() -> coord.coordinator.status().peers() == 1);
            b.close();
            coord.coordinator.awaitTermination();
            assertFalse(Files.exists(secretFile), "secret file removed when the coordinator stops");
        }
    }

    @Test
    void quitDuringACheckpointWaitsForItAndSaysSo() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker w = coord.launch("w1")) {
            CompletableFuture<Message> ckpt = coord.commandAsync("checkpoint");
            w.expectEvent(Barriers.CHECKPOINT.get(0), 1);
            assertTrue(ckpt.get(10, TimeUnit.SECONDS).isOk());
            CompletableFuture<Message> quit = coord.commandAsync("quit");
            Thread.sleep(300);
            assertFalse(quit.isDone(), "quit answered while the checkpoint was still running");
            assertTrue(w.nothingPending(), "the worker was told something before its checkpoint ended");
            // the rest of generation 1, then the KILL that quit held back
            w.arrive(Barriers.CHECKPOINT.get(0), 1);
            for (String barrier : Barriers.CHECKPOINT.subList(1, Barriers.CHECKPOINT.size())) {
                w.expectEvent(barrier, 1);
                w.arrive(barrier, 1);
            }
            w.durable(1);
            w.expect("COMMIT");
            w.committed(1);
            w.expect("KILL");
            Message answer = quit.get(10, TimeUnit.SECONDS);
            assertTrue(answer.isOk(), answer.toString());
            assertEquals("1", answer.get("waited_generation"));
            assertEquals("1", answer.get("waited_ok"));
            coord.coordinator.awaitTermination();
            assertEquals(1, coord.coordinator.status().generation(), "the checkpoint completed");
        }
    }

    @Test
    void anExecDoesNotEndTheComputationUnderExitOnLast() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir, 0, true, false)) {
            FakeWorker before = coord.launch("a");
            String compid = before.welcome.get("compid");
            before.send(Message.builder("EXEC").put("state", "begin").build());
            before.close();
            Thread.sleep(500); // the coordinator would have stopped by now; the join below proves it did not
            // the new program: same host and pid (FakeWorker says testhost / 4242), a fresh upid
            try (FakeWorker after = coord.launch("b")) {
                assertEquals(compid, after.welcome.get("compid"), "the exec'd program began another computation");
            }
            coord.coordinator.awaitTermination();
        }
    }

    @Test
    void exitAfterCkptKillsWorkersAndTerminates() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir, 0, false, true); FakeWorker w = coord.launch("w1")) {
            CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
            FakeWorker.answerCheckpoint(List.of(w), 1);
            w.expect("KILL");
            assertTrue(result.get(10, TimeUnit.SECONDS).isOk());
            coord.coordinator.awaitTermination();
            assertTrue(Files.isSymbolicLink(coord.ckptDir.resolve("dmtcp_restart_script.sh")));
            assertEquals(1, coord.coordinator.status().generation(), "status still readable after stop");
        }
    }

    @Test
    void killSendsKillToEveryWorker() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b")) {
            assertTrue(coord.command("kill").isOk());
            a.expect("KILL");
            b.expect("KILL");
            coord.coordinator.killWorkers();
            a.expect("KILL");
        }
    }

    @Test
    void kcheckpointKillsAfterTheCheckpoint() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker w = coord.launch("w1")) {
            CompletableFuture<Message> result = coord.commandAsync("kcheckpoint");
            FakeWorker.answerCheckpoint(List.of(w), 1);
            w.expect("KILL");
            Message r = result.get(10, TimeUnit.SECONDS);
            assertTrue(r.isOk());
            assertEquals("1", r.get("images"));
        }
    }

    @Test
    void quitKillsAnswersAndStops() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir); FakeWorker w = coord.launch("w1")) {
            Message r = coord.command("quit");
            assertTrue(r.isOk());
            w.expect("KILL");
            w.awaitClosed();
            coord.coordinator.awaitTermination();
            assertThrows(IOException.class, coord::command);
        }
    }

    @Test
    void listAndUnknownCommands() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir);
                FakeWorker a = coord.launch("a");
                FakeWorker b = coord.launch("b");
                CommandClient client = coord.command()) {
            Message list = client.request(Message.builder("COMMAND").put("verb", "list").build());
            assertEquals("2", list.get("count"));
            assertEquals("1 a 4242 testhost prog-a RUNNING", list.get("worker.1"));
            assertEquals("2 b 4242 testhost prog-b RUNNING", list.get("worker.2"));
            Message unknown = client.request(Message.builder("COMMAND").put("verb", "frobnicate").build());
            assertFalse(unknown.isOk());
            assertTrue(unknown.get("error").contains("frobnicate"));
            // The same connection keeps working, and the short form is accepted too.
            assertEquals("2", client.request(Message.builder("status").build()).get("peers"));
            assertEquals("1, prog-a[4242]@testhost, a, RUNNING\n2, prog-b[4242]@testhost, b, RUNNING\n",
                    coord.coordinator.listText());
        }
    }

    @Test
    void statusTextLooksLikeDmtcp() throws Exception {
        try (TestCoordinator coord = TestCoordinator.start(dir)) {
            assertEquals("Coordinator:\n"
                    + "  Host: 127.0.0.1\n"
                    + "  Port: " + coord.port + "\n"
                    + "Status...\n"
                    + "  NUM_PEERS=0\n"
                    + "  RUNNING=no\n"
                    + "  CKPT_INTERVAL=0 (checkpoint manually)\n"
                    + "  GENERATION=0\n"
                    + "  LAST_CKPT=none\n", coord.coordinator.statusText());
        }
    }
}
