package org.stasis.barrier;

import java.util.List;

/** How the most recent generation ended, for status. */
record LastOutcome(String result, String error, List<String> images) {
    static final LastOutcome NONE = new LastOutcome("none", "", List.of());

    LastOutcome {
        images = List.copyOf(images);
    }

    static LastOutcome ok(List<String> images) {
        return new LastOutcome("ok", "", images);
    }

    /** A failure keeps the images of the last good generation: they are still what a restart uses. */
    LastOutcome failed(String reason) {
        return new LastOutcome("failed", reason, images);
    }
}
