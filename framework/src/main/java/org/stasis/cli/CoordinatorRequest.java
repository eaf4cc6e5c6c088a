package org.stasis.cli;

import java.nio.file.Path;

/**
 * What launch or restart asked for, resolved from options and environment.
 *
 * @param host coordinator host (option, DMTCP_COORD_HOST, or "localhost")
 * @param port coordinator port (option, DMTCP_COORD_PORT, or 7779)
 * @param portGiven whether the port came from the option or the environment
 * @param portFile where to write the coordinator's port, or null
 * @param mode how to find or make the coordinator
 * @param interval checkpoint interval to set, or null to leave the coordinator's
 * @param ckptDir checkpoint directory for a coordinator we start (its restart script goes there)
 * @param logFile --coord-logfile for a coordinator we start, or null
 * @param tmpDir temporary directory
 */
public record CoordinatorRequest(
        String host,
        int port,
        boolean portGiven,
        Path portFile,
        CoordinatorMode mode,
        Integer interval,
        Path ckptDir,
        Path logFile,
        Path tmpDir) {

    public String endpoint() {
        return host + ":" + port;
    }
}
