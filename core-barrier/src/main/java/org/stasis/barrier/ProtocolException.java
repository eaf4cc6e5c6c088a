package org.stasis.barrier;

import java.io.IOException;

/** A peer sent bytes that are not a well-formed protocol message (see docs/protocol.md). */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
