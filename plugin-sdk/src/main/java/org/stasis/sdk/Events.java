package org.stasis.sdk;

import java.util.List;

/**
 * The names of the checkpoint events, as the native halves of plugins receive them and as logs
 * and {@code stasis inspect} show them.
 *
 * <p>Ordering: events of the checkpoint direction ({@link #PRESUSPEND}, {@link #PRECHECKPOINT})
 * are delivered to the enabled plugins in plugin order (the built-in capture first, then
 * installed bundles by name, then {@code --with-plugin} entries in the order given). Events of
 * the way back ({@link #RESUME}, {@link #RESTART}) are delivered in the reverse order, so that a
 * plugin layered on another finds it already resumed, as with nested locks. Each event is a
 * barrier: no process receives the next event before every process has finished the current one.
 */
public final class Events {

    /** User threads are about to be suspended; a plugin quiesces its own activity. */
    public static final String PRESUSPEND = "PRESUSPEND";

    /** All threads are suspended; a plugin saves its state (drains sockets, records files). */
    public static final String PRECHECKPOINT = "PRECHECKPOINT";

    /** The image is written and the same processes continue. */
    public static final String RESUME = "RESUME";

    /** The processes were restored from an image, possibly elsewhere; a plugin rebuilds. */
    public static final String RESTART = "RESTART";

    /** The checkpoint direction, in delivery order. */
    public static final List<String> CHECKPOINT_DIRECTION = List.of(PRESUSPEND, PRECHECKPOINT);

    /**
     * Whether plugins receive {@code event} in reverse plugin order.
     *
     * @param event an event name, e.g. {@link #RESUME}
     * @return true for {@link #RESUME} and {@link #RESTART}
     */
    public static boolean isReversed(String event) {
        return RESUME.equals(event) || RESTART.equals(event);
    }

    private Events() {}
}
