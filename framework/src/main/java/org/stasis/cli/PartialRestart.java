package org.stasis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;

/**
 * Images given to one {@code dmtcp_restart} that are fewer than the processes their computation
 * had (the header's peer count), such as the newest image alone of a program that forks
 * ({@code dmtcp_restart $(ls -t ckpt_*.dmtcp | head -n 1)}).
 *
 * <p>The restarted processes would wait for peers nobody restarts, so the coordinator gives such
 * a restart up when no further process joins in time. The front end cannot refuse at once on
 * its own: separate {@code dmtcp_restart} commands, one per image (per host), against one
 * coordinator are legitimate. What it can do is look beside the given images for those of the
 * missing processes (same computation and generation): when all of them are there the user
 * most likely forgot them, so the coordinator is told to wait only {@link #SHORT_WAIT_MILLIS}
 * for them, and the refusal names the files. Otherwise it waits its default (30 s), long enough
 * for another command on another host. Pure, for the tests; the caller reads the headers.
 */
record PartialRestart(String compid, int generation, int expected, int given, List<Found> found,
        boolean othersElsewhere) {

    /**
     * Set by a restart script for each of the commands it starts, one per host: the other
     * images are restarted by the other commands, maybe after an ssh, so the coordinator waits
     * its default for them even when they lie beside the given ones (a shared directory). The
     * same holds when another restart command on this host names them ({@link SiblingRestarts}).
     */
    static final String OTHERS_ELSEWHERE_ENV = "STASIS_RESTART_OTHERS_ELSEWHERE";

    /** How long to wait for missing processes whose images were seen beside the given ones. */
    static final long SHORT_WAIT_MILLIS = 1000;

    /**
     * Until when, counted from the front end's own start, the coordinator holds its question
     * whether another restart of the computation is under way, for commands started together
     * ({@code a & b}) to find each other. Counted from the start rather than from the question
     * because commands started together reach the coordinator after about the same start-up
     * time (a JVM's), so what must be covered is the skew between them, not the start-up: the
     * refusal then comes within a second of the command even on a loaded machine.
     */
    static final long ASK_WITHIN_MILLIS = 700;

    /** The least hold, for a start-up slower than {@link #ASK_WITHIN_MILLIS}: the skew between two. */
    static final long ASK_HOLD_MIN_MILLIS = 250;

    /** How long to hold the question, {@code elapsedMillis} after this command started. */
    static long holdMillis(long elapsedMillis) {
        return Math.max(ASK_HOLD_MIN_MILLIS, ASK_WITHIN_MILLIS - Math.max(0, elapsedMillis));
    }

    /** An image of a missing process, found beside the given ones. */
    record Found(Path file, ImageHeader header) {}

    PartialRestart {
        found = List.copyOf(found);
    }

    /**
     * The partial restart {@code given} amounts to, or null when it is complete (as many images
     * as the computation had processes, or an image that does not know the count).
     *
     * @param given the images given, already checked to be of one computation and generation
     * @param beside headers of the other images in the directories of the given ones
     */
    static PartialRestart of(List<ImageSummary> given, Map<Path, ImageHeader> beside) {
        ImageHeader h0 = given.get(0).header();
        int expected = given.stream().mapToInt(s -> s.header().peers()).max().orElse(0);
        if (expected <= given.size()) {
            return null;
        }
        Set<String> upids = given.stream().map(s -> s.header().upid()).collect(Collectors.toSet());
        Set<Path> files = given.stream().map(ImageSummary::file).collect(Collectors.toSet());
        List<Found> found = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>(upids);
        beside.entrySet().stream()
                .filter(e -> !files.contains(e.getKey()))
                .filter(e -> e.getValue().compid().equals(h0.compid()) && e.getValue().generation() == h0.generation())
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    if (seen.add(e.getValue().upid())) {
                        found.add(new Found(e.getKey(), e.getValue()));
                    }
                });
        return new PartialRestart(h0.compid(), h0.generation(), expected, given.size(), found, false);
    }

    /** The same, the others being restarted by other commands (see {@link #OTHERS_ELSEWHERE_ENV}). */
    PartialRestart restartedElsewhere() {
        return new PartialRestart(compid, generation, expected, given, found, true);
    }

    /** The file names of the missing processes' images found beside the given ones. */
    Set<String> foundFileNames() {
        return found.stream().map(f -> f.file().getFileName().toString()).collect(Collectors.toSet());
    }

    int missingCount() {
        return expected - given;
    }

    /**
     * Whether every missing process's image was found, and nobody said they are restarted
     * elsewhere: then they were most likely forgotten.
     */
    boolean allFound() {
        return !othersElsewhere && found.size() >= missingCount();
    }

    long waitMillis() {
        return allFound() ? SHORT_WAIT_MILLIS : 30_000;
    }

    /** What is known about the missing processes, for the coordinator's refusal. */
    String missingDescription(Path dir) {
        List<String> parts = found.stream().map(f -> f.header().program() + " (pid " + f.header().pid() + ", image "
                + f.file() + ")").collect(Collectors.toCollection(ArrayList::new));
        int unseen = missingCount() - found.size();
        if (unseen > 0) {
            parts.add(unseen + (parts.isEmpty() ? "" : " more") + (unseen == 1 ? " process" : " processes")
                    + " whose image" + (unseen == 1 ? " is" : "s are") + " not in " + dir);
        }
        return String.join(", ", parts);
    }
}
