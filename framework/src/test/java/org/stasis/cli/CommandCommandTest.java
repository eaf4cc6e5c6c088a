package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.stasis.barrier.Message;
import picocli.CommandLine;

class CommandCommandTest {

    static List<CommandEngine.Request> requests(String... args) {
        CommandLine cl = Cli.build("dmtcp_command");
        cl.parseArgs(args);
        return ((CommandCommand) cl.getCommand()).requests();
    }

    static List<String> verbs(String... args) {
        return requests(args).stream().map(CommandEngine.Request::verb).toList();
    }

    @Test
    void optionsInOrder() {
        assertEquals(List.of("bcheckpoint"), verbs("-bc"));
        assertEquals(List.of("kcheckpoint"), verbs("-kc"));
        assertEquals(List.of("bcheckpoint"), verbs("--bcheckpoint"));
        assertEquals(List.of("status", "list"), verbs("-s", "-l"));
        assertEquals(List.of("interval", "bcheckpoint", "kill"), verbs("-i", "5", "-bc", "-k"));
        assertEquals(List.of("checkpoint", "quit"), verbs("--checkpoint", "--quit"));
        assertEquals(5, requests("-i5").get(0).value());
        assertEquals(List.of("status"), verbs("-h", "node1", "-p", "7000", "-s"));
        assertEquals(List.of("bcheckpoint"), verbs("-p7000", "-bc"));
    }

    @Test
    void commandWords() {
        assertEquals(List.of("status", "bcheckpoint", "interval", "quit"), verbs("s", "bc", "i", "30", "q"));
        assertEquals(30, requests("i", "30").get(0).value());
        assertThrows(CliException.class, () -> requests("bogus"));
        assertThrows(CliException.class, () -> requests("i"));
        assertThrows(CliException.class, () -> requests("-i", "-3"));
    }

    @Test
    void usageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Cli.run("dmtcp_command", new String[] {"--no-such"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(2, rc);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("dmtcp_command: Unknown option: '--no-such'"), e);
        assertTrue(e.contains("Usage: dmtcp_command [OPTIONS] COMMAND [COMMAND...]"), e);
        err.reset();
        assertEquals(2, Cli.run("dmtcp_command", new String[] {}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no command given"));
    }

    /** A scripted coordinator connection. */
    static CommandEngine.Connection fake(Function<Message, Message> answer) {
        return new CommandEngine.Connection() {
            @Override
            public Message request(Message command) throws IOException {
                return answer.apply(command);
            }

            @Override
            public void close() {}
        };
    }

    static Message result(String... kv) {
        Message.Builder b = Message.builder("RESULT");
        for (int i = 0; i + 1 < kv.length; i += 2) {
            b.put(kv[i], kv[i + 1]);
        }
        return b.build();
    }

    static final Message STATUS = result("ok", "1", "host", "node1", "port", "7779", "peers", "2", "running", "yes",
            "compid", "c-1", "generation", "3", "interval", "0", "ckpt_in_progress", "no", "last_result", "ok",
            "last_error", "", "last_images", "/d/a.dmtcp:/d/b.dmtcp");

    @Test
    void statusText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandEngine.run("localhost", 7779, List.of(CommandEngine.Request.of("status")), false, false,
                new PrintStream(out, true, StandardCharsets.UTF_8), () -> fake(m -> STATUS));
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("  NUM_PEERS=2\n"), s);
        assertTrue(s.contains("  RUNNING=yes\n"), s);
        assertTrue(s.contains("  CKPT_INTERVAL=0 (checkpoint manually)\n"), s);
        assertTrue(s.contains("  GENERATION=3\n"), s);
        assertTrue(s.contains("  LAST_CKPT=ok\n"), s);
        assertTrue(s.contains("  Port: 7779\n"), s);
    }

    @Test
    void json() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> sent = new ArrayList<>();
        Message list = result("ok", "1", "count", "2", "worker.1", "1 aaaa-1-2 100 node1 count RUNNING",
                "worker.2", "2 bbbb-3-4 200 node1 my prog RUNNING");
        CommandEngine.run("localhost", 7779, List.of(CommandEngine.Request.of("status"), CommandEngine.Request.of("list")),
                true, false, new PrintStream(out, true, StandardCharsets.UTF_8), () -> fake(m -> {
                    sent.add(m.get("verb"));
                    return m.get("verb").equals("status") ? STATUS : list;
                }));
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(List.of("status", "list"), sent);
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("{\"command\":\"status\",\"ok\":true,\"host\":\"node1\",\"port\":7779,\"peers\":2,"
                + "\"running\":true"), lines[0]);
        assertTrue(lines[0].contains("\"last_images\":[\"/d/a.dmtcp\",\"/d/b.dmtcp\"]"), lines[0]);
        assertTrue(lines[1].contains("\"workers\":[{\"number\":1,\"upid\":\"aaaa-1-2\",\"pid\":100,\"host\":\"node1\","
                + "\"program\":\"count\",\"state\":\"RUNNING\"},{\"number\":2"), lines[1]);
        assertTrue(lines[1].contains("\"program\":\"my prog\""), lines[1]);
    }

    @Test
    void listText() {
        Message list = result("ok", "1", "count", "1", "worker.1", "1 aaaa-1-2 100 node1 count RUNNING");
        assertEquals("Client List:\n#, PROG[PID]@HOST, UNIQUE-PID, STATE\n1, count[100]@node1, aaaa-1-2, RUNNING\n",
                StatusFormat.listText(list));
    }

    @Test
    void failedBlockingCheckpointIsAnError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CliException e = assertThrows(CliException.class, () -> CommandEngine.run("localhost", 7779,
                List.of(CommandEngine.Request.of("bcheckpoint")), false, false, new PrintStream(out),
                () -> fake(m -> result("ok", "0", "error", "disk full"))));
        assertEquals("checkpoint failed: disk full", e.getMessage());
        assertEquals(1, e.exitCode());
    }

    @Test
    void noCoordinatorMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int port = freePort();
        int rc = Cli.run("dmtcp_command", new String[] {"-p", Integer.toString(port), "-s"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(1, rc);
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("dmtcp_command: no coordinator found at localhost:" + port + " ("), e);
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
