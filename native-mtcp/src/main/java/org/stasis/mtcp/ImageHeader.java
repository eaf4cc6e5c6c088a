package org.stasis.mtcp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of an image's 4096-byte header (image-format.md, "Header").
 *
 * @param formatVersion format version the image was written with
 * @param headerSize header size as recorded (4096)
 * @param headerCrc header CRC32C as stored
 * @param flags header flags; bit 0: memory may be LZ4-compressed
 * @param architecture e.g. "x86_64"
 * @param creationTimeNanos creation time, nanoseconds since the epoch
 * @param pid the pid as the program sees it (its virtual pid; older agents recorded the real pid
 *     at checkpoint time)
 * @param ppid parent's pid as the program sees it (virtual); 0 when unknown (older images)
 * @param sid session id as the program sees it (virtual); 0 when unknown
 * @param pgid process group id as the program sees it (virtual); 0 when unknown
 * @param treeFlags reserved for the process tree, 0 for now
 * @param restartInfoAddress address of the agent's restart-info block
 * @param upid unique process id; names the image file
 * @param compid computation id
 * @param plugins enabled plugins, in order (empty list when none)
 * @param bundles the plugin bundles the launch was given with --with-plugin (absolute paths),
 *     so that a restart finds them again; empty when none or when they did not fit
 */
public record ImageHeader(
        int formatVersion,
        int headerSize,
        int headerCrc,
        int flags,
        String architecture,
        long creationTimeNanos,
        int uid,
        int gid,
        int pid,
        int ppid,
        int sid,
        int pgid,
        int treeFlags,
        int generation,
        int peers,
        long restartInfoAddress,
        String upid,
        String compid,
        String program,
        String hostName,
        String kernelRelease,
        String glibcVersion,
        String executable,
        List<String> plugins,
        List<String> bundles) {

    public ImageHeader {
        plugins = List.copyOf(plugins);
        bundles = List.copyOf(bundles);
    }

    /** Whether memory sections may be LZ4-compressed. */
    public boolean compressed() {
        return (flags & ImageFormat.HEADER_FLAG_LZ4) != 0;
    }

    /**
     * Whether the image records where the process sat in its tree (parent, session, group):
     * images of older agents leave those fields zero.
     */
    public boolean treeRecorded() {
        return ppid != 0 || sid != 0 || pgid != 0;
    }

    /** Unsigned uid as a long (uids above 2^31 exist). */
    public long uidUnsigned() {
        return Integer.toUnsignedLong(uid);
    }

    /**
     * Decodes the header fields from {@code header} (at least 4096 bytes, starting at the
     * image's offset 0). Does not check anything; see {@link ImageValidator}.
     */
    public static ImageHeader parse(byte[] header) {
        if (header.length < ImageFormat.HEADER_SIZE) {
            throw new IllegalArgumentException("header needs " + ImageFormat.HEADER_SIZE + " bytes, got " + header.length);
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        String plugins = cString(header, ImageFormat.OFF_PLUGINS, ImageFormat.LEN_PLUGINS);
        String bundles = cString(header, ImageFormat.OFF_BUNDLES, ImageFormat.LEN_BUNDLES);
        return new ImageHeader(
                b.getInt(ImageFormat.OFF_VERSION),
                b.getInt(ImageFormat.OFF_HEADER_SIZE),
                b.getInt(ImageFormat.OFF_HEADER_CRC),
                b.getInt(ImageFormat.OFF_FLAGS),
                cString(header, ImageFormat.OFF_ARCH, ImageFormat.LEN_ARCH),
                b.getLong(ImageFormat.OFF_CTIME),
                b.getInt(ImageFormat.OFF_UID),
                b.getInt(ImageFormat.OFF_GID),
                b.getInt(ImageFormat.OFF_PID),
                b.getInt(ImageFormat.OFF_PPID),
                b.getInt(ImageFormat.OFF_SID),
                b.getInt(ImageFormat.OFF_PGID),
                b.getInt(ImageFormat.OFF_TREE_FLAGS),
                b.getInt(ImageFormat.OFF_GENERATION),
                b.getInt(ImageFormat.OFF_PEERS),
                b.getLong(ImageFormat.OFF_RESTART_INFO),
                cString(header, ImageFormat.OFF_UPID, ImageFormat.LEN_UPID),
                cString(header, ImageFormat.OFF_COMPID, ImageFormat.LEN_COMPID),
                cString(header, ImageFormat.OFF_PROGRAM, ImageFormat.LEN_PROGRAM),
                cString(header, ImageFormat.OFF_HOST, ImageFormat.LEN_HOST),
                cString(header, ImageFormat.OFF_KERNEL, ImageFormat.LEN_KERNEL),
                cString(header, ImageFormat.OFF_GLIBC, ImageFormat.LEN_GLIBC),
                cString(header, ImageFormat.OFF_EXE, ImageFormat.LEN_EXE),
                colonList(plugins), colonList(bundles));
    }

    private static List<String> colonList(String text) {
        return text.isEmpty() ? List.of() : Arrays.stream(text.split(":")).filter(s -> !s.isEmpty()).toList();
    }

    /** A NUL-terminated (or NUL-padded) string field; a field without NUL uses its full width. */
    static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        int limit = offset + length;
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }
}
