package org.stasis.barrier;

import java.util.ArrayList;
import java.util.List;

/**
 * Restored workers of one computation and generation, collected until all of them are back:
 * their plugins can only reconnect resources once every peer is present.
 */
final class RestartGathering {
    private final String compid;
    private final int generation;
    private final int expected;
    private final List<WorkerSession> joined = new ArrayList<>();

    RestartGathering(String compid, int generation, int expected) {
        this.compid = compid;
        this.generation = generation;
        // An image that does not know its peer count can only speak for itself.
        this.expected = Math.max(1, expected);
    }

    boolean accepts(WorkerHello hello) {
        return compid.equals(hello.compid()) && generation == hello.generation();
    }

    void add(WorkerSession worker) {
        joined.add(worker);
    }

    void remove(WorkerSession worker) {
        joined.remove(worker);
    }

    boolean isEmpty() {
        return joined.isEmpty();
    }

    boolean isComplete() {
        return joined.size() >= expected;
    }

    List<WorkerSession> workers() {
        return List.copyOf(joined);
    }

    String compid() {
        return compid;
    }

    int generation() {
        return generation;
    }

    int expected() {
        return expected;
    }
}
