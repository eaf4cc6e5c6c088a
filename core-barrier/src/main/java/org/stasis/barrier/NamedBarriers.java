package org.stasis.barrier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plugin barriers by name: who has arrived, and which barriers every worker they wait for has
 * reached. A global barrier waits for every live worker; a host barrier (a plugin's local
 * barrier) only for the live workers on the host of the worker that named it.
 */
final class NamedBarriers {

    /** A barrier: its name, and the host it is scoped to, or null for a global one. */
    record Key(String name, String host) {}

    /** A released barrier and the workers to tell. */
    record Release(String name, List<Integer> workers) {}

    private final Map<Key, Set<Integer>> arrived = new LinkedHashMap<>();

    void arrive(Key key, int worker) {
        arrived.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(worker);
    }

    /** A departed worker no longer holds anybody up. */
    /**
     * Drops every arrival: a generation was abandoned, and the plugins waiting in it have been
     * told so. Were they kept, an arrival from the abandoned generation would count towards the
     * same barrier in the next one and release it early for some and never for the others.
     */
    void clear() {
        arrived.clear();
    }

    void forget(int worker) {
        arrived.values().forEach(set -> set.remove(worker));
        arrived.values().removeIf(Set::isEmpty);
    }

    /**
     * Removes and returns the barriers all the workers they wait for have arrived at.
     *
     * @param live the live workers and their hosts
     */
    List<Release> takeComplete(Map<Integer, String> live) {
        List<Release> complete = new ArrayList<>();
        if (live.isEmpty()) {
            arrived.clear();
            return complete;
        }
        List<Key> done = new ArrayList<>();
        arrived.forEach((key, set) -> {
            List<Integer> waitFor = live.entrySet().stream()
                    .filter(e -> key.host() == null || key.host().equals(e.getValue()))
                    .map(Map.Entry::getKey).toList();
            if (set.containsAll(waitFor)) {
                done.add(key);
                complete.add(new Release(key.name(), waitFor));
            }
        });
        done.forEach(arrived::remove);
        complete.sort(Comparator.comparing(Release::name));
        return complete;
    }
}
