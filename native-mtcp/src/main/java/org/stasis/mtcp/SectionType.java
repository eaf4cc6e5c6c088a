package org.stasis.mtcp;

/** Section types of image-format.md. */
public enum SectionType {
    PROCESS(1),
    THREADS(2),
    REGIONS(3),
    MEMORY(4),
    PLUGIN(5),
    TRAILER(65535),
    /** A type this reader does not know (kept so that summaries can still count it). */
    UNKNOWN(-1);

    private final int code;

    SectionType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static SectionType of(int code) {
        for (SectionType t : values()) {
            if (t.code == code && t != UNKNOWN) {
                return t;
            }
        }
        return UNKNOWN;
    }
}
