package org.stasis.cli;

import java.io.IOException;
import org.stasis.barrier.Message;

/** The side effects coordinator selection needs; faked in tests. */
public interface CoordinatorOps {

    /** Is a coordinator we can talk to at host:port? Never throws. */
    ProbeResult probe(String host, int port);

    /** Starts a coordinator on this host as a detached daemon; returns its port once it answers. */
    int start(StartSpec spec);

    /** The job secret of the coordinator at host:port. */
    String secret(String host, int port, boolean startedByUs);

    /** Sends one COMMAND and returns the RESULT. */
    Message command(String host, int port, String secret, Message command) throws IOException;

    /** IPv4 address of a host name. */
    String numericAddress(String host);

    /** The name child tools should use for a coordinator on this host. */
    String localHostName();

    /**
     * How to start a coordinator.
     *
     * @param port port to listen on, 0 for a random one
     * @param exitOnLast pass --exit-on-last
     * @param portFile the user's --port-file, or null
     * @param interval -i, or null
     * @param watchPid the process the coordinator is for (it becomes the program by exec): if it dies
     *     before any process has joined, the coordinator exits instead of waiting forever; null for none
     */
    record StartSpec(int port, boolean exitOnLast, java.nio.file.Path portFile, java.nio.file.Path ckptDir,
            Integer interval, java.nio.file.Path logFile, java.nio.file.Path tmpDir, Long watchPid) {}
}
