package org.stasis.barrier;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;

/**
 * A short-lived, blocking command connection (dmtcp_command). Not thread-safe: one request at a
 * time, which is all a command-line tool needs.
 */
public final class CommandClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final String where;

    private CommandClient(Socket socket, String where) throws IOException {
        this.socket = socket;
        this.where = where;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    }

    /**
     * Connects and says HELLO. The timeout bounds the connect and the handshake, not later requests.
     *
     * @throws IOException if nothing listens there, or the coordinator refuses (the message then
     *     carries its reason)
     */
    public static CommandClient connect(String host, int port, String secret, Duration connectTimeout)
            throws IOException {
        String where = host + ":" + port;
        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        Socket socket = new Socket();
        try {
            try {
                socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            } catch (IOException e) {
                throw new IOException("cannot connect to the coordinator at " + where + ": " + e.getMessage(), e);
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            CommandClient client = new CommandClient(socket, where);
            client.write(Message.builder(Verbs.HELLO)
                    .put("role", "command")
                    .put("secret", secret)
                    .put("proto", Verbs.PROTOCOL_VERSION)
                    .build());
            Message reply;
            try {
                reply = client.read();
            } catch (SocketTimeoutException e) {
                throw new IOException("the coordinator at " + where + " did not answer HELLO within "
                        + timeoutMillis + " ms", e);
            }
            switch (reply.verb()) {
                case Verbs.WELCOME -> { }
                case Verbs.REFUSED -> throw new IOException(
                        "the coordinator at " + where + " refused the connection: " + reply.get("reason", "no reason"));
                default -> throw new ProtocolException("unexpected " + reply.verb() + " from " + where + " after HELLO");
            }
            socket.setSoTimeout(0);
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends one command and waits for its RESULT, however long that takes (bcheckpoint).
     *
     * @param command a {@code COMMAND} message ({@code verb=status} ...); as a convenience a message
     *     whose verb is the command name itself ({@code status}) is wrapped into one
     */
    public Message request(Message command) throws IOException {
        write(asCommand(command));
        Message reply = read();
        return switch (reply.verb()) {
            case Verbs.RESULT -> reply;
            case Verbs.ERROR -> throw new IOException(
                    "the coordinator at " + where + " rejected the request: " + reply.get("reason", "no reason"));
            default -> throw new ProtocolException("unexpected " + reply.verb() + " from " + where);
        };
    }

    private static Message asCommand(Message command) {
        if (Verbs.COMMAND.equals(command.verb())) {
            return command;
        }
        return Message.builder(Verbs.COMMAND)
                .put("verb", command.verb().toLowerCase(Locale.ROOT))
                .putAll(command.fields())
                .build();
    }

    private void write(Message message) throws IOException {
        byte[] payload = MessageCodec.encode(message);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    private Message read() throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            throw new IOException("the coordinator at " + where + " closed the connection", e);
        }
        if (length <= 0 || length > MessageCodec.MAX_FRAME) {
            throw new ProtocolException("bad frame length " + Integer.toUnsignedString(length) + " from " + where);
        }
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new IOException("the coordinator at " + where + " closed the connection mid-frame", e);
        }
        return MessageCodec.decode(payload);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing useful to do: the command is over either way.
        }
    }
}
