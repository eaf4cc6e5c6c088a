package org.stasis.mtcp;

/** execve failed; the JVM is still running. The message says which program and why. */
public class ExecException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ExecException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno execve failed with, 0 if the failure happened before the call. */
    public int errno() {
        return errno;
    }
}
