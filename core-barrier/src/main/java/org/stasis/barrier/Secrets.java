package org.stasis.barrier;

import com.google.common.io.BaseEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/** The per-job secret that keeps strangers away from a coordinator (protocol.md, "HELLO"). */
public final class Secrets {

    /** Overrides the secret file, for clients that were handed the secret some other way. */
    public static final String SECRET_ENV = "STASIS_COORD_SECRET";
    public static final String SECRET_DIR_ENV = "STASIS_SECRET_DIR";

    /** Only the coordinator makes secrets; clients that just read one skip the seeding cost. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private Secrets() {}

    /** 32 random bytes as 64 lower-case hex characters. */
    public static String generate() {
        byte[] bytes = new byte[32];
        Random.INSTANCE.nextBytes(bytes);
        return BaseEncoding.base16().lowerCase().encode(bytes);
    }

    public static Path secretFile(Path secretDirOrNull, String coordHost, int port) {
        Path dir = secretDirOrNull != null ? secretDirOrNull : defaultDirectory();
        return dir.resolve(HostNames.shortNameOf(coordHost) + "-" + port + ".secret");
    }

    public static String read(Path secretDirOrNull, String coordHost, int port) throws IOException {
        String fromEnv = System.getenv(SECRET_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path file = secretFile(secretDirOrNull, coordHost, port);
        String secret;
        try {
            secret = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            throw new IOException("no secret file " + file + ": no coordinator of this user seems to run on "
                    + coordHost + ":" + port, e);
        }
        if (secret.isEmpty()) {
            throw new IOException("secret file " + file + " is empty");
        }
        return secret;
    }

    /** Writes via a private temporary file and a rename, so no reader ever sees a partial secret. */
    public static void write(Path file, String secret) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        createPrivateDirectory(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.SYNC);
            moveAtomically(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        }
        // createDirectories is subject to the umask and leaves existing directories alone;
        // a secret in a group-readable directory is not a secret, so insist.
        if (!Files.getPosixFilePermissions(dir).equals(DIR_MODE)) {
            Files.setPosixFilePermissions(dir, DIR_MODE);
        }
    }

    /** ${STASIS_SECRET_DIR:-$HOME/.stasis/coordinators}, or under ${TMPDIR:-/tmp} without a usable home. */
    static Path defaultDirectory() {
        String configured = System.getenv(SECRET_DIR_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = System.getenv("HOME");
        if (home != null && !home.isBlank() && Files.isWritable(Path.of(home))) {
            return Path.of(home, ".stasis", "coordinators");
        }
        String tmp = System.getenv("TMPDIR");
        Path base = Path.of(tmp == null || tmp.isBlank() ? "/tmp" : tmp);
        return base.resolve("stasis-" + currentUid()).resolve("coordinators");
    }

    /** Owner of /proc/self is our uid; avoids native calls for one number. */
    private static String currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return String.valueOf(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return System.getProperty("user.name", "unknown");
        }
    }
}
