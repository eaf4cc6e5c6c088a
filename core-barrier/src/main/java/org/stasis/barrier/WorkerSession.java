package org.stasis.barrier;

/**
 * A connected worker as the kernel tracks it. Mutable, but only ever touched on the event loop.
 */
final class WorkerSession {
    static final String RUNNING = "RUNNING";
    static final String RESTARTING = "RESTARTING";

    private final int number;
    private final WorkerHello hello;
    private final Peer peer;
    private String state;
    private boolean stopped;
    /** Said EXEC begin and not EXEC failed: its connection closing is the exec, not the end. */
    private boolean execing;

    WorkerSession(int number, WorkerHello hello, Peer peer) {
        this.number = number;
        this.hello = hello;
        this.peer = peer;
        // A restored process has its threads parked until the restart barriers say RESUME.
        this.state = hello.restart() ? RESTARTING : RUNNING;
        this.stopped = hello.restart();
    }

    int number() {
        return number;
    }

    WorkerHello hello() {
        return hello;
    }

    String state() {
        return state;
    }

    boolean stopped() {
        return stopped;
    }

    void send(Message message) {
        peer.send(message);
    }

    /** A last word, then the connection closes (the worker is gone when the close is seen). */
    void sendAndClose(Message message) {
        peer.sendAndClose(message);
    }

    void reached(String step) {
        if (Barriers.stopsThreads(step)) {
            stopped = true;
        }
        if (Barriers.resumesThreads(step)) {
            stopped = false;
        }
        state = step;
    }

    /** After a generation ends, either way, the worker is back to normal running. */
    void settle() {
        state = RUNNING;
        stopped = false;
    }

    boolean execing() {
        return execing;
    }

    void execing(boolean now) {
        execing = now;
    }

    String describe() {
        return "worker " + number + " (" + hello.program() + ", pid " + hello.pid() + " on " + hello.host() + ")";
    }

    /** One line of the list command: number upid pid host program state. */
    String listEntry() {
        return number + " " + hello.upid() + " " + hello.pid() + " " + hello.host() + " " + hello.program() + " " + state;
    }

    String humanListLine() {
        return number + ", " + hello.program() + "[" + hello.pid() + "]@" + hello.host() + ", " + hello.upid() + ", " + state;
    }
}
