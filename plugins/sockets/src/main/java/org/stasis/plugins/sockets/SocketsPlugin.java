package org.stasis.plugins.sockets;

import java.util.List;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.PluginOption;
import org.stasis.sdk.StasisPlugin;

/**
 * The sockets plugin's Java half. The work happens in the native half (src/main/c/sockets.c,
 * tcp.c, udp.c), inside each process: sockets are recorded and their queues taken at
 * PRECHECKPOINT, and made again, with the same numbers, options and data in flight, at RESTART.
 */
public final class SocketsPlugin implements StasisPlugin {

    private final String version;

    public SocketsPlugin(String version) {
        this.version = version;
    }

    /** Read by the native half at PRECHECKPOINT. */
    static final String REFUSE_OUTSIDE = "--sockets-refuse-outside";

    @Override
    public PluginInfo info() {
        return new PluginInfo("sockets", version,
                "sockets (Unix-domain, TCP and UDP, with the data in flight between processes of the computation)");
    }

    @Override
    public List<PluginOption> options() {
        return List.of(new PluginOption(REFUSE_OUTSIDE, null, "Refuse checkpoints while a TCP connection to a peer"
                + " outside the computation is open (at restart it would come back closed); the refusal names each"
                + " such connection.", null));
    }
}
