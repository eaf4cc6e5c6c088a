package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stasis.barrier.Message;

class CoordinatorSelectorTest {

    /** Scripted side effects; records what was done. */
    static final class FakeOps implements CoordinatorOps {
        final Map<String, ProbeResult> probes = new HashMap<>();
        final List<StartSpec> starts = new ArrayList<>();
        final List<Message> commands = new ArrayList<>();
        int startedPort = 45678;

        @Override
        public ProbeResult probe(String host, int port) {
            return probes.getOrDefault(host + ":" + port, ProbeResult.absent("connection refused"));
        }

        @Override
        public int start(StartSpec spec) {
            starts.add(spec);
            return spec.port() == 0 ? startedPort : spec.port();
        }

        @Override
        public String secret(String host, int port, boolean startedByUs) {
            return "secret-" + port + (startedByUs ? "-new" : "");
        }

        @Override
        public Message command(String host, int port, String secret, Message command) throws IOException {
            commands.add(command);
            return Message.builder("RESULT").put("ok", 1).build();
        }

        @Override
        public String numericAddress(String host) {
            return host.equals("node2") ? "10.0.0.2" : "127.0.0.1";
        }

        @Override
        public String localHostName() {
            return "node1";
        }
    }

    static final Predicate<String> LOCAL = h -> h.equals("localhost") || h.equals("node1");

    static CoordinatorRequest req(CoordinatorMode mode, String host, int port, boolean portGiven, Integer interval) {
        return new CoordinatorRequest(host, port, portGiven, null, mode, interval, Path.of("/ck"), null, Path.of("/tmp"));
    }

    @Test
    void anyJoinsAReachableCoordinator() {
        FakeOps ops = new FakeOps();
        ops.probes.put("localhost:7779", ProbeResult.reachable());
        assertEquals(new CoordinatorSelector.Join("localhost", 7779),
                CoordinatorSelector.decide(req(CoordinatorMode.ANY, "localhost", 7779, false, null), LOCAL, ops));
    }

    @Test
    void anyStartsOneWhereNothingListens() {
        FakeOps ops = new FakeOps();
        assertEquals(new CoordinatorSelector.Start(7779, true),
                CoordinatorSelector.decide(req(CoordinatorMode.ANY, "localhost", 7779, false, null), LOCAL, ops));
        assertEquals(new CoordinatorSelector.Start(40000, true),
                CoordinatorSelector.decide(req(CoordinatorMode.ANY, "localhost", 40000, true, 8), LOCAL, ops));
        assertEquals(new CoordinatorSelector.Start(0, true),
                CoordinatorSelector.decide(req(CoordinatorMode.ANY, "localhost", 0, true, null), LOCAL, ops));
    }

    @Test
    void anyRefusesSomethingUnusable() {
        FakeOps ops = new FakeOps();
        ops.probes.put("localhost:7779", ProbeResult.unusable("no secret file"));
        CliException e = assertThrows(CliException.class,
                () -> CoordinatorSelector.decide(req(CoordinatorMode.ANY, "localhost", 7779, false, null), LOCAL, ops));
        assertTrue(e.getMessage().contains("cannot use the coordinator at localhost:7779 (no secret file)"), e.getMessage());
    }

    @Test
    void anyCannotStartOnARemoteHost() {
        FakeOps ops = new FakeOps();
        CliException e = assertThrows(CliException.class,
                () -> CoordinatorSelector.decide(req(CoordinatorMode.ANY, "node2", 7779, false, null), LOCAL, ops));
        assertTrue(e.getMessage().startsWith("no coordinator found at node2:7779"), e.getMessage());
        ops.probes.put("node2:7779", ProbeResult.reachable());
        assertEquals(new CoordinatorSelector.Join("node2", 7779),
                CoordinatorSelector.decide(req(CoordinatorMode.ANY, "node2", 7779, false, null), LOCAL, ops));
    }

    @Test
    void joinNeedsACoordinator() {
        FakeOps ops = new FakeOps();
        CliException e = assertThrows(CliException.class,
                () -> CoordinatorSelector.decide(req(CoordinatorMode.JOIN, "localhost", 7779, false, null), LOCAL, ops));
        assertEquals(CliException.FAILURE, e.exitCode());
        assertTrue(e.getMessage().startsWith("no coordinator found at localhost:7779 (connection refused)"),
                e.getMessage());
        ops.probes.put("localhost:7779", ProbeResult.reachable());
        assertEquals(new CoordinatorSelector.Join("localhost", 7779),
                CoordinatorSelector.decide(req(CoordinatorMode.JOIN, "localhost", 7779, false, null), LOCAL, ops));
    }

    @Test
    void newUsesTheGivenPortOrARandomOne() {
        FakeOps ops = new FakeOps();
        assertEquals(new CoordinatorSelector.Start(0, true),
                CoordinatorSelector.decide(req(CoordinatorMode.NEW, "localhost", 7779, false, null), LOCAL, ops));
        assertEquals(new CoordinatorSelector.Start(5000, true),
                CoordinatorSelector.decide(req(CoordinatorMode.NEW, "localhost", 5000, true, null), LOCAL, ops));
        ops.probes.put("localhost:5000", ProbeResult.reachable());
        CliException e = assertThrows(CliException.class,
                () -> CoordinatorSelector.decide(req(CoordinatorMode.NEW, "localhost", 5000, true, null), LOCAL, ops));
        assertTrue(e.getMessage().contains("already running on port 5000"), e.getMessage());
        ops.probes.put("localhost:5001", ProbeResult.unusable("something else"));
        assertThrows(CliException.class,
                () -> CoordinatorSelector.decide(req(CoordinatorMode.NEW, "localhost", 5001, true, null), LOCAL, ops));
        assertThrows(CliException.class,
                () -> CoordinatorSelector.decide(req(CoordinatorMode.NEW, "node2", 5000, true, null), LOCAL, ops));
    }

    @Test
    void noneIsAPrivateCoordinator() {
        FakeOps ops = new FakeOps();
        ops.probes.put("localhost:7779", ProbeResult.reachable());
        assertEquals(new CoordinatorSelector.Start(0, true),
                CoordinatorSelector.decide(req(CoordinatorMode.NONE, "localhost", 7779, true, null), LOCAL, ops));
    }

    @Test
    void selectStartsWithTheRequestedSettings() {
        FakeOps ops = new FakeOps();
        CoordinatorSession s = CoordinatorSelector.select(req(CoordinatorMode.NONE, "localhost", 7779, false, 30), LOCAL, ops);
        assertEquals(new CoordinatorSession("node1", "127.0.0.1", 45678, "secret-45678-new", true), s);
        CoordinatorOps.StartSpec spec = ops.starts.get(0);
        assertEquals(0, spec.port());
        assertTrue(spec.exitOnLast());
        assertEquals(30, spec.interval());
        assertEquals(Path.of("/ck"), spec.ckptDir());
        assertEquals(ProcessHandle.current().pid(), spec.watchPid());
    }

    @Test
    void selectJoinsAppliesTheIntervalAndWritesThePortFile(@TempDir Path dir) throws Exception {
        FakeOps ops = new FakeOps();
        ops.probes.put("node2:7000", ProbeResult.reachable());
        Path pf = dir.resolve("port");
        CoordinatorRequest r = new CoordinatorRequest("node2", 7000, true, pf, CoordinatorMode.ANY, 12,
                Path.of("/ck"), null, Path.of("/tmp"));
        CoordinatorSession s = CoordinatorSelector.select(r, LOCAL, ops);
        assertEquals(new CoordinatorSession("node2", "10.0.0.2", 7000, "secret-7000", false), s);
        assertEquals(1, ops.commands.size());
        assertEquals("interval", ops.commands.get(0).get("verb"));
        assertEquals("12", ops.commands.get(0).get("value"));
        assertEquals("7000", Files.readString(pf).trim());
        assertTrue(ops.starts.isEmpty());
    }
}
