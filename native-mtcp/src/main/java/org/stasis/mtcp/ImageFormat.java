package org.stasis.mtcp;

import java.nio.charset.StandardCharsets;

/** Constants of the checkpoint image format (docs/image-format.md, version 1). */
public final class ImageFormat {

    private ImageFormat() {}

    /** "STASISIM": the first 8 bytes of every image. */
    public static final byte[] MAGIC = "STASISIM".getBytes(StandardCharsets.US_ASCII);
    /** Highest format version this reader understands. */
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 4096;
    public static final int SECTION_HEADER_SIZE = 48;
    /** Bytes 0..43 of a section header are covered by its CRC at offset 44. */
    public static final int SECTION_HEADER_CRC_SPAN = 44;
    public static final int TRAILER_PAYLOAD_SIZE = 32;
    /** "STASEND\0": the first 8 bytes of the trailer payload. */
    public static final byte[] TRAILER_MAGIC = "STASEND\0".getBytes(StandardCharsets.US_ASCII);

    /** Header flag bit 0: memory may be LZ4-compressed. */
    public static final int HEADER_FLAG_LZ4 = 1;
    /** Section flag bit 0: the payload is one LZ4 block. */
    public static final int SECTION_FLAG_LZ4 = 1;

    // Header field offsets.
    public static final int OFF_MAGIC = 0;
    public static final int OFF_VERSION = 8;
    public static final int OFF_HEADER_SIZE = 12;
    public static final int OFF_HEADER_CRC = 16;
    public static final int OFF_FLAGS = 20;
    public static final int OFF_ARCH = 24;
    public static final int LEN_ARCH = 16;
    public static final int OFF_CTIME = 40;
    public static final int OFF_UID = 48;
    public static final int OFF_GID = 52;
    public static final int OFF_PID = 56;
    public static final int OFF_GENERATION = 60;
    public static final int OFF_PEERS = 64;
    public static final int OFF_RESTART_INFO = 72;
    // The process's place in its tree: zero in images of agents that did not record it.
    public static final int OFF_PPID = 80;
    public static final int OFF_SID = 84;
    public static final int OFF_PGID = 88;
    public static final int OFF_TREE_FLAGS = 92;
    public static final int OFF_UPID = 96;
    public static final int LEN_UPID = 80;
    public static final int OFF_COMPID = 176;
    public static final int LEN_COMPID = 80;
    public static final int OFF_PROGRAM = 256;
    public static final int LEN_PROGRAM = 256;
    public static final int OFF_HOST = 512;
    public static final int LEN_HOST = 256;
    public static final int OFF_KERNEL = 768;
    public static final int LEN_KERNEL = 128;
    public static final int OFF_GLIBC = 896;
    public static final int LEN_GLIBC = 64;
    public static final int OFF_EXE = 960;
    public static final int LEN_EXE = 1024;
    public static final int OFF_PLUGINS = 1984;
    public static final int LEN_PLUGINS = 1024;
    public static final int OFF_BUNDLES = 3008;
    public static final int LEN_BUNDLES = 1024;

    /** The architecture name images of this machine carry ("x86_64"), from the JVM's os.arch. */
    public static String currentArchitecture() {
        String arch = System.getProperty("os.arch", "");
        switch (arch) {
            case "amd64":
            case "x86_64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return arch;
        }
    }
}
