package org.stasis.barrier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Files that other programs poll for: they must see the old content or the new, never half. */
final class AtomicFiles {
    private AtomicFiles() {}

    static void write(Path file, String content, String mode) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(mode);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8, StandardOpenOption.SYNC);
            // Set explicitly: createTempFile is 0600 and a umask could strip bits we need.
            Files.setPosixFilePermissions(tmp, permissions);
            Secrets.moveAtomically(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Points {@code link} at {@code target} by renaming a fresh link over it. */
    static void symlink(Path link, Path target) throws IOException {
        Path absolute = link.toAbsolutePath();
        Path tmp = absolute.resolveSibling("." + absolute.getFileName() + "." + System.nanoTime() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        try {
            Secrets.moveAtomically(tmp, absolute);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
