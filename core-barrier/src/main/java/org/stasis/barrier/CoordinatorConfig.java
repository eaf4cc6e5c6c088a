package org.stasis.barrier;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a coordinator needs to run.
 *
 * @param bindHost address to listen on; null listens on all interfaces
 * @param port port to listen on; 0 picks a free one
 * @param portFile where to write the bound port, or null
 * @param ckptDir where the restart script is written
 * @param intervalSeconds periodic checkpoint interval; 0 = only on request
 * @param exitOnLast stop when the last worker has gone
 * @param exitAfterCkpt kill the workers and stop after the first complete generation
 * @param stasisHome installation directory, for the restart script; null uses the PATH
 * @param secretDir directory of the secret file; null applies the default rule of protocol.md
 */
public record CoordinatorConfig(
        String bindHost,
        int port,
        Path portFile,
        Path ckptDir,
        int intervalSeconds,
        boolean exitOnLast,
        boolean exitAfterCkpt,
        Path stasisHome,
        Path secretDir) {

    public CoordinatorConfig {
        Objects.requireNonNull(ckptDir, "ckptDir");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (intervalSeconds < 0) {
            throw new IllegalArgumentException("interval must not be negative: " + intervalSeconds);
        }
    }
}
