package org.stasis.mtcp;

import java.nio.file.Path;

/**
 * An image that cannot be used. The message names the file and says what is wrong in plain
 * words, so a front end can print it as it is.
 */
public class ImageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    public ImageException(Path file, String problem) {
        this(file, problem, null);
    }

    public ImageException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The image the problem is about. */
    public Path file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
