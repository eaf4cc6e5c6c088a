package org.stasis.mtcp;

/** The Stasis installation is incomplete or cannot be found; the message says what to do. */
public class InstallationException extends Exception {
    private static final long serialVersionUID = 1L;

    public InstallationException(String message) {
        super(message);
    }
}
