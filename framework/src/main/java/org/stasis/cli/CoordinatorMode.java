package org.stasis.cli;

/** How launch and restart find their coordinator (DMTCP's four options). */
public enum CoordinatorMode {
    /** --join-coordinator: one must already run at host:port. */
    JOIN("--join-coordinator"),
    /** --new-coordinator: start one here at the port (0 = random); fail if the port is taken. */
    NEW("--new-coordinator"),
    /** --any-coordinator (default): join if one answers at host:port, else start one there. */
    ANY("--any-coordinator"),
    /** --no-coordinator: a private coordinator on a random port that exits with the program. */
    NONE("--no-coordinator");

    private final String option;

    CoordinatorMode(String option) {
        this.option = option;
    }

    public String option() {
        return option;
    }
}
