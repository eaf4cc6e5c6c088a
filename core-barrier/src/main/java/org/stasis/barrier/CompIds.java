package org.stasis.barrier;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Computation ids: {@code <hostid:16 hex>-<port>-<start time hex>}. */
final class CompIds {
    private CompIds() {}

    static String create(int port, long startMillis) {
        return hostId() + "-" + port + "-" + Long.toHexString(startMillis);
    }

    /** Stable per machine, like the upid's host part: machine-id if the system has one. */
    static String hostId() {
        for (String file : new String[] {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
            try {
                String id = Files.readString(Path.of(file), StandardCharsets.US_ASCII).trim();
                if (id.length() >= 16 && id.substring(0, 16).matches("[0-9a-f]{16}")) {
                    return id.substring(0, 16);
                }
            } catch (IOException | SecurityException e) {
                // try the next source
            }
        }
        long hash = Hashing.murmur3_128().hashString(HostNames.localHostName(), StandardCharsets.UTF_8).asLong();
        return String.format("%016x", hash);
    }
}
