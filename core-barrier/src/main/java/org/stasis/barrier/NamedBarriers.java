package org.stasis.barrier;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Plugin barriers by name: who has arrived, and which names every live worker has reached. */
final class NamedBarriers {
    private final Map<String, Set<Integer>> arrived = new HashMap<>();

    void arrive(String name, int worker) {
        arrived.computeIfAbsent(name, n -> new LinkedHashSet<>()).add(worker);
    }

    /** A departed worker no longer holds anybody up. */
    void forget(int worker) {
        arrived.values().forEach(set -> set.remove(worker));
        arrived.values().removeIf(Set::isEmpty);
    }

    /** Removes and returns the names every one of {@code live} has arrived at. */
    List<String> takeComplete(Collection<Integer> live) {
        List<String> complete = new ArrayList<>();
        if (live.isEmpty()) {
            arrived.clear();
            return complete;
        }
        arrived.forEach((name, set) -> {
            if (set.containsAll(live)) {
                complete.add(name);
            }
        });
        complete.forEach(arrived::remove);
        complete.sort(null);
        return complete;
    }
}
