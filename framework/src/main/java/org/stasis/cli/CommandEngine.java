package org.stasis.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;
import org.stasis.barrier.Message;

/** Sends coordinator commands and prints their results; shared by dmtcp_command and the stasis verbs. */
public final class CommandEngine {

    /** One command: a protocol verb (status, list, checkpoint, bcheckpoint, ...) and its value. */
    public record Request(String verb, Integer value) {
        public static Request of(String verb) {
            return new Request(verb, null);
        }
    }

    /** A command connection. */
    public interface Connection extends AutoCloseable {
        Message request(Message command) throws IOException;

        @Override
        void close();
    }

    private CommandEngine() {}

    /**
     * Runs {@code requests} in order over one connection.
     *
     * @param verbose also describe successful actions (the stasis verbs); DMTCP's commands are silent
     * @return 0, or throws CliException on the first failure
     */
    public static int run(String host, int port, List<Request> requests, boolean json, boolean verbose,
            PrintStream out, Supplier<Connection> connect) {
        try (Connection c = connect.get()) {
            for (Request rq : requests) {
                Message.Builder b = Message.builder("COMMAND").put("verb", rq.verb());
                if (rq.value() != null) {
                    b.put("value", rq.value());
                }
                Message r;
                try {
                    r = c.request(b.build());
                } catch (IOException e) {
                    throw new CliException("lost the coordinator at " + host + ":" + port + " during " + rq.verb()
                            + " (" + LocalCoordinatorOps.describe(e) + ")");
                }
                if (json) {
                    out.println(Json.write(StatusFormat.toJson(rq.verb(), r)));
                }
                if (!r.isOk()) {
                    String err = r.get("error", "no reason given");
                    switch (rq.verb()) {
                        case "checkpoint", "bcheckpoint", "kcheckpoint" ->
                            throw new CliException("checkpoint failed: " + err);
                        default -> throw new CliException(rq.verb() + " failed: " + err);
                    }
                }
                if (!json) {
                    print(rq, r, host, port, verbose, out, c);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void print(Request rq, Message r, String host, int port, boolean verbose, PrintStream out,
            Connection c) {
        // kill and quit wait for a checkpoint in progress; said even when not verbose, since
        // whoever typed the command must know what held it up
        String waited = r.get("waited_generation", "");
        if (!waited.isEmpty()) {
            out.println("checkpoint generation " + waited + " was in progress: "
                    + ("1".equals(r.get("waited_ok", "")) ? "it completed" : "it failed ("
                    + r.get("waited_error", "?") + ")") + " before the " + rq.verb());
        }
        switch (rq.verb()) {
            case "status" -> out.print(StatusFormat.statusText(r, host, port));
            case "list" -> out.print(StatusFormat.listText(r));
            case "checkpoint" -> {
                if (verbose) {
                    out.println("checkpoint of generation " + r.get("generation", "?") + " started");
                }
            }
            case "bcheckpoint", "kcheckpoint" -> {
                // what plugins said of a checkpoint that succeeded: said even when not verbose, as
                // it is what a restart will not bring back
                int notes = Integer.parseInt(r.get("notes", "0"));
                for (int i = 1; i <= notes; i++) {
                    out.println("note: " + r.get("note." + i, ""));
                }
                if (verbose) {
                    out.println("checkpoint generation " + r.get("generation", "?") + " complete: "
                            + r.get("images", "?") + " image(s)");
                    printImages(out, c);
                    if (rq.verb().equals("kcheckpoint")) {
                        out.println("processes killed");
                    }
                }
            }
            case "interval" -> {
                if (verbose) {
                    out.println("checkpoint interval set to " + rq.value() + " s"
                            + (rq.value() != null && rq.value() == 0 ? " (checkpoint manually)" : ""));
                }
            }
            default -> {
                if (verbose) {
                    out.println(rq.verb() + ": done");
                }
            }
        }
    }

    private static void printImages(PrintStream out, Connection c) {
        try {
            Message s = c.request(Message.builder("COMMAND").put("verb", "status").build());
            String images = s.get("last_images", "");
            if (!images.isEmpty()) {
                for (String i : images.split(":")) {
                    out.println("  " + i);
                }
            }
        } catch (IOException e) {
            // the paths are a courtesy
        }
    }

    /** The real connection: {@link LocalCoordinatorOps#open}. */
    public static Supplier<Connection> remote(String host, int port) {
        return () -> {
            org.stasis.barrier.CommandClient client = LocalCoordinatorOps.open(host, port);
            return new Connection() {
                @Override
                public Message request(Message command) throws IOException {
                    try {
                        return client.request(command);
                    } catch (RuntimeException e) {
                        throw new IOException(LocalCoordinatorOps.describe(e), e);
                    }
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        };
    }
}
