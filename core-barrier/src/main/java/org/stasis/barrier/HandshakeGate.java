package org.stasis.barrier;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Bounds connections that have not yet said a valid HELLO. When full, the oldest is evicted
 * rather than the newest refused: a real peer says HELLO within milliseconds, so a flood of
 * silent strangers pushes out only its own stale members and never locks workers out. Loop
 * confined.
 */
final class HandshakeGate {

    /** A connection still in its handshake that can be told to go away. */
    interface Pending {
        void evict(String reason);
    }

    private final int limit;
    private final Set<Pending> pending = new LinkedHashSet<>();

    HandshakeGate(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    void enter(Pending connection) {
        if (pending.size() >= limit) {
            Iterator<Pending> oldest = pending.iterator();
            Pending evicted = oldest.next();
            oldest.remove();
            evicted.evict("too many connections without HELLO");
        }
        pending.add(connection);
    }

    void leave(Pending connection) {
        pending.remove(connection);
    }

    int size() {
        return pending.size();
    }
}
