package org.stasis.cli;

/**
 * What was found at a host:port.
 *
 * @param state whether a usable coordinator answers there
 * @param reason for ABSENT or UNUSABLE, what happened (e.g. "connection refused")
 */
public record ProbeResult(State state, String reason) {

    public enum State {
        /** A coordinator of ours answered a status request. */
        REACHABLE,
        /** Nothing listens there. */
        ABSENT,
        /** Something listens but we cannot use it (no secret, refused, not a coordinator...). */
        UNUSABLE
    }

    public static ProbeResult reachable() {
        return new ProbeResult(State.REACHABLE, "");
    }

    public static ProbeResult absent(String reason) {
        return new ProbeResult(State.ABSENT, reason);
    }

    public static ProbeResult unusable(String reason) {
        return new ProbeResult(State.UNUSABLE, reason);
    }
}
