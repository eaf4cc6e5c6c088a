package org.stasis.barrier;

/**
 * Told when a checkpoint generation has completed: every image is durable and has its final
 * name (COMMIT done everywhere) and the restart script is written. This is how a front end adds
 * work after a generation (the framework calls plugins) while the kernel stays ignorant of it.
 *
 * <p>Called on the coordinator's event loop, before a blocking checkpoint command is answered:
 * an implementation must return at once and do its work on a thread of its own. What it throws
 * is logged and otherwise ignored; the generation stays complete.
 */
@FunctionalInterface
public interface GenerationListener {

    /** Does nothing; for a coordinator without a front end that cares. */
    GenerationListener NONE = generation -> { };

    void generationCompleted(CompletedGeneration generation);
}
