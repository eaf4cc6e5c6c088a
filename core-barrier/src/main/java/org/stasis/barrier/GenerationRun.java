package org.stasis.barrier;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Drives a fixed set of workers through a list of {@link Step}s for one generation: announce a
 * step, collect one ok answer from each participant, move on. Knows nothing of what the steps
 * mean, so checkpoint and restart share it. Event-loop confined.
 */
final class GenerationRun {

    enum Answer {
        /** Not for this run, or for a step already passed: nothing changed. */
        IGNORED,
        RECORDED,
        COMPLETE,
        FAILED
    }

    private final String kind;
    private final int generation;
    private final List<Step> steps;
    private final Map<Integer, WorkerSession> participants;
    private final Map<String, String> announcementExtras;
    private final List<Set<Integer>> answered = new ArrayList<>();
    private final Map<Integer, String> images = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private int current = -1;
    private long lastProgressNanos = startNanos;
    private String failure = "";

    /**
     * @param announcementExtras fields added to every announcement, e.g. {@code peers} so each
     *     worker can record in its image how many peers the computation had
     */
    GenerationRun(String kind, int generation, List<Step> steps, List<WorkerSession> participants,
            Map<String, String> announcementExtras) {
        if (steps.isEmpty() || participants.isEmpty()) {
            throw new IllegalArgumentException("a generation needs steps and participants");
        }
        this.kind = kind;
        this.generation = generation;
        this.steps = List.copyOf(steps);
        this.participants = new LinkedHashMap<>();
        participants.forEach(w -> this.participants.put(w.number(), w));
        this.announcementExtras = Map.copyOf(announcementExtras);
        steps.forEach(s -> answered.add(new HashSet<>()));
    }

    void begin() {
        current = 0;
        announce(steps.get(0));
    }

    String kind() {
        return kind;
    }

    int generation() {
        return generation;
    }

    int size() {
        return participants.size();
    }

    boolean involves(WorkerSession worker) {
        return participants.get(worker.number()) == worker;
    }

    /** Whether the worker has answered the step of this label (false for a label not in the run). */
    boolean answered(WorkerSession worker, String label) {
        for (int k = 0; k < steps.size(); k++) {
            if (steps.get(k).label().equals(label)) {
                return answered.get(k).contains(worker.number());
            }
        }
        return false;
    }

    String currentLabel() {
        return current < 0 ? "start" : current >= steps.size() ? "end" : steps.get(current).label();
    }

    String failure() {
        return failure;
    }

    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Time since the last answer that was kept (or since the start). */
    long millisWithoutProgress(long nowNanos) {
        return TimeUnit.NANOSECONDS.toMillis(nowNanos - lastProgressNanos);
    }

    /** The participants that have not answered the current step yet, in participant order. */
    List<WorkerSession> waitingFor() {
        List<WorkerSession> waiting = new ArrayList<>();
        if (current >= 0 && current < steps.size()) {
            participants.forEach((n, w) -> {
                if (!answered.get(current).contains(n)) {
                    waiting.add(w);
                }
            });
        }
        return waiting;
    }

    /** Image paths in participant order, as far as workers have reported them. */
    List<String> images() {
        List<String> ordered = new ArrayList<>();
        participants.keySet().forEach(n -> {
            String image = images.get(n);
            if (image != null) {
                ordered.add(image);
            }
        });
        return ordered;
    }

    /** The host of each image's process, in the order of {@link #images()}. */
    List<String> imageHosts() {
        List<String> ordered = new ArrayList<>();
        participants.forEach((n, w) -> {
            if (images.containsKey(n)) {
                ordered.add(w.hello().host());
            }
        });
        return ordered;
    }

    /** What plugins asked the result to say, in the order the answers came. */
    List<String> notes() {
        return List.copyOf(notes);
    }

    List<WorkerSession> participants() {
        return List.copyOf(participants.values());
    }

    Answer accept(WorkerSession worker, Message reply) {
        if (!involves(worker)) {
            return Answer.IGNORED;
        }
        int k = stepFor(reply);
        if (k < 0) {
            return Answer.IGNORED;
        }
        Step step = steps.get(k);
        if (!reply.isOk()) {
            failure = describeFailure(worker, step, reply);
            return Answer.FAILED;
        }
        if (!answered.get(k).add(worker.number())) {
            return Answer.IGNORED;
        }
        String image = reply.get("image", "");
        if (!image.isEmpty()) {
            images.put(worker.number(), image);
        }
        // plugins' notes for the result: "<plugin>: <text>", tab-separated (stasis_note)
        for (String note : reply.get("note", "").split("\t")) {
            if (!note.isBlank()) {
                notes.add(worker.describe() + ": " + note);
            }
        }
        worker.reached(step.label());
        lastProgressNanos = System.nanoTime();
        return advanceWhileAnswered();
    }

    /**
     * The current step, or any later one workers answer unasked: a worker whose image is small
     * reports DURABLE while a slower peer has not even arrived at WRITE, and that answer must be
     * kept for when the run gets there. Anything else is stale or out of order and matches
     * nothing.
     */
    private int stepFor(Message reply) {
        for (int k = current; k >= 0 && k < steps.size(); k++) {
            Step step = steps.get(k);
            if ((k == current || step.isVolunteered()) && step.matches(reply)) {
                return k;
            }
        }
        return -1;
    }

    private Answer advanceWhileAnswered() {
        while (answered.get(current).containsAll(participants.keySet())) {
            current++;
            if (current == steps.size()) {
                return Answer.COMPLETE;
            }
            announce(steps.get(current));
        }
        return Answer.RECORDED;
    }

    private void announce(Step step) {
        if (step.isVolunteered()) {
            return;
        }
        Message.Builder message = Message.builder(step.sendVerb());
        if (step.isBarrier()) {
            message.put("name", step.label());
        }
        message.put("generation", generation);
        message.putAll(announcementExtras);
        Message built = message.build();
        participants.values().forEach(w -> w.send(built));
    }

    private static String describeFailure(WorkerSession worker, Step step, Message reply) {
        String plugin = reply.get("plugin", "");
        String error = reply.get("error", "");
        return worker.describe() + " failed at " + step.label() + ": "
                + (plugin.isEmpty() ? "" : "plugin " + plugin + ": ")
                + (error.isEmpty() ? "no reason given" : error);
    }
}
