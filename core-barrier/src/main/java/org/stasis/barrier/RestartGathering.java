package org.stasis.barrier;

import java.util.ArrayList;
import java.util.List;

/**
 * Restored workers of one computation and generation, collected until all of them are back:
 * their plugins can only reconnect resources once every peer is present.
 *
 * <p>A gathering that stops growing is given up (see {@link CoordinatorKernel#gatherExpired}):
 * restarting only some images of a computation would otherwise leave the restored processes
 * waiting forever for peers nobody restarts. Each join gives the others {@link #waitMillis()}
 * more, so images restarted by separate {@code dmtcp_restart} commands (one per host, as DMTCP
 * allows) still meet when they come soon after each other.
 */
final class RestartGathering {
    private final String compid;
    private final int generation;
    private final int expected;
    private final List<WorkerSession> joined = new ArrayList<>();
    private long waitMillis;
    private String missing = "";
    /** Bumped by every join: a timeout armed before the latest join is stale. */
    private long joins;

    RestartGathering(String compid, int generation, int expected, long waitMillis) {
        this.compid = compid;
        this.generation = generation;
        // An image that does not know its peer count can only speak for itself.
        this.expected = Math.max(1, expected);
        this.waitMillis = waitMillis;
    }

    boolean accepts(WorkerHello hello) {
        return accepts(hello.compid(), hello.generation());
    }

    boolean accepts(String compid, int generation) {
        return this.compid.equals(compid) && this.generation == generation;
    }

    void add(WorkerSession worker) {
        joined.add(worker);
        joins++;
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

    long joins() {
        return joins;
    }

    long waitMillis() {
        return waitMillis;
    }

    /** What a restart front end knows about the processes not given to it (image files found). */
    String missing() {
        return missing;
    }

    /** A front end's word: how long to wait for the rest, and what it knows they are. */
    void expect(long waitMillis, String missing) {
        this.waitMillis = waitMillis;
        if (missing != null && !missing.isBlank()) {
            this.missing = missing;
        }
    }

    /**
     * Why the restart is refused: which processes came back, how many are missing, and what
     * to do. Pure, for the tests.
     */
    static String refusal(String compid, int generation, int expected, List<String> present, String missing,
            long waitedMillis) {
        return RestartRefusal.text(compid, generation, expected, present, "no other came within " + seconds(waitedMillis),
                missing);
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
