package org.stasis.barrier;

import java.util.List;

/**
 * Barrier names of protocol.md. Kept as data so a plugin-defined barrier is one more list
 * entry, not a new branch in the coordinator.
 */
final class Barriers {
    static final String PRESUSPEND = "PRESUSPEND";
    static final String SUSPEND = "SUSPEND";
    static final String PRECHECKPOINT = "PRECHECKPOINT";
    static final String WRITE = "WRITE";
    static final String RESUME = "RESUME";
    static final String RESTART = "RESTART";

    static final List<String> CHECKPOINT = List.of(PRESUSPEND, SUSPEND, PRECHECKPOINT, WRITE, RESUME);
    static final List<String> RESTORE = List.of(RESTART, RESUME);

    /** After arriving here a worker's user threads are stopped... */
    static boolean stopsThreads(String barrier) {
        return SUSPEND.equals(barrier) || RESTART.equals(barrier);
    }

    /** ...and after arriving here they run again. */
    static boolean resumesThreads(String barrier) {
        return RESUME.equals(barrier);
    }

    private Barriers() {}
}
