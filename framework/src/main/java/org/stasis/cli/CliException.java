package org.stasis.cli;

/**
 * A failure the user can act on: printed as one line {@code "<command>: <message>"}, never with a
 * stack trace, and turned into the exit code.
 */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    public CliException(String message) {
        this(message, FAILURE);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A usage error: exit code 2. */
    public static CliException usage(String message) {
        return new CliException(message, USAGE);
    }

    public int exitCode() {
        return exitCode;
    }
}
