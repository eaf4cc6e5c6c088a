package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortUseTest {
    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @TempDir
    Path dir;

    @Test
    void aListenerIsAnotherProgramOrCoordinator() throws Exception {
        Path tcp = table("tcp", "   0: 00000000:9DF0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 1\n");
        assertEquals("port 40432 is already in use by another program or coordinator",
                PortUse.explain(40432, List.of(tcp)));
    }

    @Test
    void aConnectionsLocalEndIsNamedAsSuch() throws Exception {
        Path tcp = table("tcp", "   0: 0100007F:9DF0 0100007F:1E61 01 00000000:00000000 00:00000000 00000000  1000 0 1\n");
        Path tcp6 = table("tcp6", "");
        String message = PortUse.explain(40432, List.of(tcp, tcp6));
        assertTrue(message.startsWith("port 40432 is taken by the local end of a connection"), message);
        assertTrue(message.endsWith("choose a port outside that range"), message);
    }

    @Test
    void aListenerOnIpv6WinsOverAConnectionOnIpv4() throws Exception {
        Path tcp = table("tcp", "   0: 0100007F:9DF0 0100007F:1E61 01 00000000:00000000 00:00000000 00000000  1000 0 1\n");
        Path tcp6 = table("tcp6",
                "   0: 00000000000000000000000000000000:9DF0 00000000000000000000000000000000:0000 0A 0 0 0 1000 0 2\n");
        assertEquals("port 40432 is already in use by another program or coordinator",
                PortUse.explain(40432, List.of(tcp, tcp6)));
    }

    @Test
    void unreadableTablesGiveThePlainMessage() {
        assertEquals("port 7779 is already in use by another program or coordinator",
                PortUse.explain(7779, List.of(dir.resolve("missing"))));
    }

    private Path table(String name, String rows) throws Exception {
        return Files.writeString(dir.resolve(name), HEADER + rows);
    }
}
