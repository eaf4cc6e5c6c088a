package org.stasis.barrier;

/** The far end of one connection, as the kernel sees it; keeps the kernel free of Netty types. */
interface Peer {
    void send(Message message);

    /** Sends, then closes once the message has left. */
    void sendAndClose(Message message);

    String remoteAddress();
}
