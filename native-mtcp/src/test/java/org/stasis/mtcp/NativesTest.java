package org.stasis.mtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativesTest {

    @TempDir
    Path home;

    @Test
    void missingAgentIsNamed() {
        InstallationException e = assertThrows(InstallationException.class, () -> Natives.locate(home));
        assertTrue(e.getMessage().contains("libstasis.so is missing"), e.getMessage());
    }

    @Test
    void restorerMustBeExecutable() throws Exception {
        Path lib = Files.createDirectories(home.resolve("lib"));
        Files.write(lib.resolve("libstasis.so"), new byte[] {1});
        Path r = Files.write(lib.resolve("stasis-restore"), new byte[] {1});
        Files.setPosixFilePermissions(r, PosixFilePermissions.fromString("rw-r--r--"));
        if (!Files.isExecutable(r)) { // root can execute anything with an x bit only; skip otherwise
            InstallationException e = assertThrows(InstallationException.class, () -> Natives.locate(home));
            assertTrue(e.getMessage().contains("not executable"), e.getMessage());
        }
        Files.setPosixFilePermissions(r, PosixFilePermissions.fromString("rwxr-xr-x"));
        Natives n = Natives.locate(home);
        assertEquals(lib.resolve("libstasis.so"), n.agent());
        assertEquals(lib.resolve("stasis-restore"), n.restorer());
    }
}
