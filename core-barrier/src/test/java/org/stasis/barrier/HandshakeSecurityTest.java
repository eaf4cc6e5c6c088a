package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Strangers are refused or dropped, and the job they poke at never notices. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HandshakeSecurityTest {
    @TempDir
    Path dir;

    private TestCoordinator coord;
    private FakeWorker worker;

    @BeforeEach
    void setUp() throws IOException {
        coord = TestCoordinator.start(dir);
        worker = coord.launch("w1");
    }

    @AfterEach
    void tearDown() throws IOException {
        worker.close();
        coord.close();
    }

    @Test
    void wrongSecretIsRefusedWithReason() throws Exception {
        try (Socket s = stranger()) {
            send(s, Message.builder("HELLO").put("role", "command").put("secret", "0".repeat(64)).put("proto", 1)
                    .build());
            Message reply = read(s);
            assertEquals("REFUSED", reply.verb());
            assertTrue(reply.get("reason").contains("secret"), reply.toString());
            assertClosed(s);
        }
        IOException e = assertThrows(IOException.class,
                () -> CommandClient.connect("127.0.0.1", coord.port, "nope", Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("wrong secret"), e.getMessage());
        assertJobUnaffected();
    }

    @Test
    void firstFrameMustBeHello() throws Exception {
        try (Socket s = stranger()) {
            send(s, Message.builder("COMMAND").put("verb", "quit").build());
            assertEquals("REFUSED", read(s).verb());
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void garbageBytesAreDropped() throws Exception {
        try (Socket s = stranger()) {
            // An HTTP request reads as a ~1.2 GB length prefix.
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void oversizedFrameIsDroppedWithoutWaitingForItsBody() throws Exception {
        try (Socket s = stranger()) {
            new DataOutputStream(s.getOutputStream()).writeInt(MessageCodec.MAX_FRAME + 1);
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void zeroLengthFrameIsDropped() throws Exception {
        try (Socket s = stranger()) {
            new DataOutputStream(s.getOutputStream()).writeInt(0);
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void malformedHelloIsRefused() throws Exception {
        try (Socket s = stranger()) {
            byte[] body = "HELLO\nthis is not a field\n".getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(body.length);
            out.write(body);
            assertEquals("REFUSED", read(s).verb());
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void silentConnectionIsRefusedAfterTheHelloTimeout() throws Exception {
        try (Socket s = stranger()) {
            long start = System.nanoTime();
            Message reply = read(s);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals("REFUSED", reply.verb());
            assertTrue(reply.get("reason").contains("HELLO"), reply.toString());
            assertTrue(waited >= TestCoordinator.HELLO_TIMEOUT.toMillis() - 50, "refused after " + waited + " ms");
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void slowLorisCannotStretchTheDeadline() throws Exception {
        try (Socket s = stranger()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(100);
            // Trickle body bytes until the coordinator gives up; it must, whatever we do.
            CompletableFuture<Void> trickle = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        out.write('A');
                        out.flush();
                        Thread.sleep(20);
                    }
                } catch (IOException | InterruptedException e) {
                    // connection closed under us: that is the point
                }
            });
            assertEquals("REFUSED", read(s).verb());
            assertClosed(s);
            trickle.cancel(true);
        }
        assertJobUnaffected();
    }

    @Test
    void unsupportedProtocolVersionIsRefused() throws Exception {
        try (Socket s = stranger()) {
            send(s, Message.builder("HELLO").put("role", "command").put("secret", coord.secret).put("proto", 2)
                    .build());
            Message reply = read(s);
            assertEquals("REFUSED", reply.verb());
            assertTrue(reply.get("reason").contains("version"), reply.toString());
        }
        assertJobUnaffected();
    }

    @Test
    void duplicateUpidIsRefused() throws Exception {
        try (Socket s = stranger()) {
            send(s, Message.builder("HELLO").put("role", "worker").put("secret", coord.secret).put("proto", 1)
                    .put("upid", "w1").put("pid", 1).put("restart", 0).build());
            Message reply = read(s);
            assertEquals("REFUSED", reply.verb());
            assertTrue(reply.get("reason").contains("already connected"), reply.toString());
            assertClosed(s);
        }
        assertJobUnaffected();
    }

    @Test
    void workerSpeakingNonsenseAfterHelloGetsErrorAndIsClosed() throws Exception {
        try (FakeWorker rogue = coord.launch("rogue")) {
            rogue.send(Message.builder("FROBNICATE").build());
            assertEquals("ERROR", rogue.receive().verb());
            rogue.awaitClosed();
        }
        TestCoordinator.await(() -> coord.coordinator.status().peers() == 1);
        assertJobUnaffected();
    }

    /** The legitimate worker is still there and still checkpoints. */
    private void assertJobUnaffected() throws Exception {
        assertEquals(1, coord.coordinator.status().peers());
        CompletableFuture<Message> result = coord.commandAsync("bcheckpoint");
        int g = Integer.parseInt(worker.receive().get("generation"));
        // Consumed the first EVENT above; answer it and play the rest.
        worker.arrive("PRESUSPEND", g);
        for (String barrier : Barriers.CHECKPOINT.subList(1, Barriers.CHECKPOINT.size())) {
            worker.expectEvent(barrier, g);
            worker.arrive(barrier, g);
        }
        worker.send(Message.builder("DURABLE").put("generation", g).put("ok", 1).put("image", worker.image()).build());
        worker.expect("COMMIT");
        worker.send(Message.builder("COMMITTED").put("generation", g).put("ok", 1).put("image", worker.image())
                .build());
        Message r = result.get(10, TimeUnit.SECONDS);
        assertTrue(r.isOk(), r.toString());
    }

    private Socket stranger() throws IOException {
        Socket s = new Socket("127.0.0.1", coord.port);
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, Message m) throws IOException {
        byte[] payload = MessageCodec.encode(m);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    private static Message read(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] payload = new byte[in.readInt()];
        in.readFully(payload);
        return MessageCodec.decode(payload);
    }

    private static void assertClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            assertEquals(-1, in.read(), "expected the coordinator to close the connection");
        } catch (SocketException e) {
            // reset by peer also means closed
        }
    }
}
