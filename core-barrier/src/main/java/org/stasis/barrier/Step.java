package org.stasis.barrier;

import java.util.ArrayList;
import java.util.List;

/**
 * One phase of a generation: what the coordinator sends to every participant (nothing for
 * {@link #DURABLE}, which workers volunteer) and which answer it then collects from each.
 */
record Step(String label, String sendVerb, String replyVerb) {

    static final Step DURABLE = new Step(Verbs.DURABLE, null, Verbs.DURABLE);
    static final Step COMMIT = new Step(Verbs.COMMIT, Verbs.COMMIT, Verbs.COMMITTED);

    static Step barrier(String name) {
        return new Step(name, Verbs.EVENT, Verbs.ARRIVE);
    }

    boolean isBarrier() {
        return Verbs.EVENT.equals(sendVerb);
    }

    /** Workers answer a step the coordinator does not announce whenever they are ready. */
    boolean isVolunteered() {
        return sendVerb == null;
    }

    boolean matches(Message reply) {
        return replyVerb.equals(reply.verb()) && (!isBarrier() || label.equals(reply.get("name")));
    }

    /** The barriers, then the two-phase durability handshake of protocol.md. */
    static List<Step> checkpoint(List<String> barriers) {
        List<Step> steps = new ArrayList<>();
        barriers.forEach(name -> steps.add(barrier(name)));
        steps.add(DURABLE);
        steps.add(COMMIT);
        return List.copyOf(steps);
    }

    static List<Step> restart(List<String> barriers) {
        return barriers.stream().map(Step::barrier).toList();
    }
}
