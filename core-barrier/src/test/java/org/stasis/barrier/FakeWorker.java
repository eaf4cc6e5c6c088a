package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;

/** Speaks the worker side of protocol.md over a plain socket, one frame at a time. */
final class FakeWorker implements AutoCloseable {
    static final int READ_TIMEOUT_MILLIS = 5000;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    final String upid;
    Message welcome;

    private FakeWorker(int port, String upid) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        this.socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        this.socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        // One write per frame, as a real agent does; two small writes would meet Nagle's delay.
        this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
        this.upid = upid;
    }

    /** A freshly launched worker, already past WELCOME. */
    static FakeWorker launch(int port, String secret, String upid) throws IOException {
        return join(port, secret, upid, Map.of());
    }

    /** A freshly launched worker whose HELLO has {@code extra} keys, already past WELCOME. */
    static FakeWorker launch(int port, String secret, String upid, Map<String, String> extra) throws IOException {
        return join(port, secret, upid, extra);
    }

    /** A worker restored from an image of {@code generation}, already past WELCOME. */
    static FakeWorker restore(int port, String secret, String upid, String compid, int generation, int peers)
            throws IOException {
        return join(port, secret, upid, Map.of(
                "restart", "1",
                "compid", compid,
                "generation", String.valueOf(generation),
                "peers", String.valueOf(peers),
                "image", "/ckpt/ckpt_" + upid + ".dmtcp"));
    }

    private static FakeWorker join(int port, String secret, String upid, Map<String, String> extra) throws IOException {
        FakeWorker w = new FakeWorker(port, upid);
        w.send(Message.builder("HELLO")
                .put("role", "worker")
                .put("secret", secret)
                .put("proto", "1")
                .put("upid", upid)
                .put("pid", 4242)
                .put("host", "testhost")
                .put("program", "prog-" + upid)
                .put("restart", "0")
                .putAll(extra)
                .build());
        w.welcome = w.expect("WELCOME");
        return w;
    }

    void send(Message m) throws IOException {
        byte[] payload = MessageCodec.encode(m);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    Message receive() throws IOException {
        int length = in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return MessageCodec.decode(payload);
    }

    Message expect(String verb) throws IOException {
        Message m = receive();
        assertEquals(verb, m.verb(), () -> "unexpected message " + m);
        return m;
    }

    Message expectEvent(String name, int generation) throws IOException {
        Message m = expect("EVENT");
        assertEquals(name, m.get("name"), () -> "unexpected event " + m);
        assertEquals(String.valueOf(generation), m.get("generation"));
        return m;
    }

    void arrive(String name, int generation) throws IOException {
        Message.Builder b = Message.builder("ARRIVE").put("name", name).put("generation", generation).put("ok", 1);
        if (name.equals("WRITE")) {
            b.put("image", image());
        }
        send(b.build());
    }

    /** ARRIVE ok with plugins' notes for the result (tab-separated, as the agent sends them). */
    void arriveWithNote(String name, int generation, String note) throws IOException {
        send(Message.builder("ARRIVE").put("name", name).put("generation", generation).put("ok", 1).put("note", note)
                .build());
    }

    /** DURABLE: this worker's image of the generation is written. */
    void durable(int generation) throws IOException {
        send(Message.builder("DURABLE").put("generation", generation).put("ok", 1).put("image", image())
                .put("bytes", 1234).build());
    }

    /** COMMITTED: this worker's image of the generation is renamed into place. */
    void committed(int generation) throws IOException {
        send(Message.builder("COMMITTED").put("generation", generation).put("ok", 1).put("image", image()).build());
    }

    void fail(String name, int generation, String plugin, String error) throws IOException {
        send(Message.builder("ARRIVE").put("name", name).put("generation", generation).put("ok", 0)
                .put("error", error).put("plugin", plugin).build());
    }

    String image() {
        return "/ckpt/dir/ckpt_prog_" + upid + ".dmtcp";
    }

    /** True if the coordinator has sent nothing that is waiting to be read. */
    boolean nothingPending() throws IOException {
        return in.available() == 0;
    }

    /** Waits for the coordinator to close the connection, skipping whatever it sends first. */
    void awaitClosed() throws IOException {
        try {
            while (true) {
                receive();
            }
        } catch (EOFException | java.net.SocketException e) {
            // closed, as expected
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + READ_TIMEOUT_MILLIS + " ms", e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Drives all workers through one complete generation in lock step. */
    static void answerCheckpoint(List<FakeWorker> workers, int generation) throws IOException {
        for (String barrier : Barriers.CHECKPOINT) {
            for (FakeWorker w : workers) {
                w.expectEvent(barrier, generation);
            }
            for (FakeWorker w : workers) {
                w.arrive(barrier, generation);
            }
        }
        for (FakeWorker w : workers) {
            w.durable(generation);
        }
        for (FakeWorker w : workers) {
            assertEquals(String.valueOf(generation), w.expect("COMMIT").get("generation"));
        }
        for (FakeWorker w : workers) {
            w.committed(generation);
        }
    }
}
