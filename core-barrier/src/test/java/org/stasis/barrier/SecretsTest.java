package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    @TempDir
    Path dir;

    @Test
    void generatesDistinct64HexSecrets() {
        String a = Secrets.generate();
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        assertNotEquals(a, Secrets.generate());
    }

    @Test
    void localAliasesShareOneFileNamedByShortHostAndPort() {
        String shortHost = HostNames.localShortHostName();
        Path expected = dir.resolve(shortHost + "-7779.secret");
        assertEquals(expected, Secrets.secretFile(dir, "localhost", 7779));
        assertEquals(expected, Secrets.secretFile(dir, "127.0.0.1", 7779));
        assertEquals(expected, Secrets.secretFile(dir, HostNames.localHostName(), 7779));
        assertEquals(dir.resolve("node17-7779.secret"), Secrets.secretFile(dir, "node17.cluster.example", 7779));
    }

    @Test
    void writeIsPrivateAndReadable() throws IOException {
        Path secretDir = dir.resolve("nested/coordinators");
        Path file = Secrets.secretFile(secretDir, "localhost", 1234);
        String secret = Secrets.generate();
        Secrets.write(file, secret);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretDir)));
        assertEquals(secret, Secrets.read(secretDir, "localhost", 1234));
        Secrets.write(file, "replaced");
        assertEquals("replaced", Secrets.read(secretDir, "127.0.0.1", 1234));
    }

    @Test
    void missingFileSaysNoCoordinatorRuns() {
        IOException e = assertThrows(IOException.class, () -> Secrets.read(dir, "localhost", 4321));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("no coordinator of this user seems to run on localhost:4321"),
                e.getMessage());
    }
}
