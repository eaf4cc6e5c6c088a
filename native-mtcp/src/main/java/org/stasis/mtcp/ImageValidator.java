package org.stasis.mtcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Checks that a file is a complete, intact Stasis checkpoint image this version can restart,
 * before anything is torn down. The checks run in a fixed order and the first failure is
 * reported as an {@link ImageException} naming the file and the problem:
 *
 * <ol>
 *   <li>the file exists, is a regular file, is readable and not empty;</li>
 *   <li>it is at least as long as a header and starts with the magic {@code STASISIM};</li>
 *   <li>its format version is one this reader knows, the header checksum matches, and it was
 *       written on this machine's architecture;</li>
 *   <li>every section header has a good checksum and its payload lies inside the file;</li>
 *   <li>a valid completion trailer ends the file (right magic, section count and offset).</li>
 * </ol>
 *
 * With {@code verifyPayloads} every payload's CRC32C is checked too (reads the whole file);
 * without it payloads are skipped and only the small ones needed for the summary are read.
 */
public final class ImageValidator {

    /** Ends of messages about files that stop early: used by several checks. */
    public static final String NO_TRAILER =
            "truncated or incomplete: no completion trailer (the checkpoint was interrupted?)";

    private static final int CHUNK = 1 << 20;

    private ImageValidator() {}

    /** {@link #validate(Path, boolean)} without payload checksums. */
    public static ImageSummary validate(Path file) throws ImageException {
        return validate(file, false);
    }

    public static ImageSummary validate(Path file, boolean verifyPayloads) throws ImageException {
        return withChannel(file, (ch, size) -> walkSections(file, ch, size, checkHeader(file, ch, size), verifyPayloads));
    }

    /** Checks the file and its header only (steps 1-3), and returns the header. */
    public static ImageHeader readHeader(Path file) throws ImageException {
        return withChannel(file, (ch, size) -> checkHeader(file, ch, size));
    }

    /** A check that reads the open image. */
    private interface Check<T> {
        T run(FileChannel ch, long size) throws IOException, ImageException;
    }

    /** Opens the image for a check and turns I/O failures into messages that name the file. */
    private static <T> T withChannel(Path file, Check<T> check) throws ImageException {
        long size = checkFile(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return check.run(ch, size);
        } catch (AccessDeniedException e) {
            throw new ImageException(file, "cannot be read (permission denied)", e);
        } catch (IOException e) {
            throw new ImageException(file, "cannot be read: " + describe(e), e);
        }
    }

    private static long checkFile(Path file) throws ImageException {
        if (!Files.exists(file)) {
            if (Files.isSymbolicLink(file)) {
                throw new ImageException(file, "no such file (it is a symbolic link to a file that does not exist)");
            }
            throw new ImageException(file, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new ImageException(file, "is a directory, not a checkpoint image");
        }
        if (!Files.isRegularFile(file)) {
            throw new ImageException(file, "not a regular file, so not a checkpoint image");
        }
        if (!Files.isReadable(file)) {
            throw new ImageException(file, "cannot be read (permission denied)");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(file, "no such file", e);
        } catch (IOException e) {
            throw new ImageException(file, "cannot be read: " + describe(e), e);
        }
        if (size == 0) {
            throw new ImageException(file, "empty file (0 bytes): not a checkpoint image, or the checkpoint was interrupted");
        }
        return size;
    }

    private static ImageHeader checkHeader(Path file, FileChannel ch, long size) throws IOException, ImageException {
        int n = (int) Math.min(size, ImageFormat.HEADER_SIZE);
        byte[] header = new byte[ImageFormat.HEADER_SIZE];
        int got = readFully(ch, ByteBuffer.wrap(header, 0, n), 0);
        int magicLen = Math.min(got, ImageFormat.MAGIC.length);
        if (!Arrays.equals(header, 0, magicLen, ImageFormat.MAGIC, 0, magicLen)) {
            throw new ImageException(file, "not a Stasis checkpoint image" + foreignHint(header, got));
        }
        if (got < ImageFormat.HEADER_SIZE) {
            throw new ImageException(file, "truncated: only " + got + " bytes, shorter than the "
                    + ImageFormat.HEADER_SIZE + "-byte header (the checkpoint was interrupted?)");
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(ImageFormat.OFF_VERSION);
        if (version > ImageFormat.VERSION || version < 0) {
            throw new ImageException(file, "written by a newer Stasis (format version " + Integer.toUnsignedString(version)
                    + "; this version reads up to " + ImageFormat.VERSION + ")");
        }
        if (version == 0) {
            throw new ImageException(file, "corrupt header (format version 0 does not exist)");
        }
        int headerSize = b.getInt(ImageFormat.OFF_HEADER_SIZE);
        int storedCrc = b.getInt(ImageFormat.OFF_HEADER_CRC);
        if (storedCrc != headerCrc(header)) {
            throw new ImageException(file, "corrupt header (checksum mismatch)");
        }
        if (headerSize != ImageFormat.HEADER_SIZE) {
            throw new ImageException(file, "corrupt header (header size " + headerSize + ", expected "
                    + ImageFormat.HEADER_SIZE + ")");
        }
        ImageHeader parsed = ImageHeader.parse(header);
        String here = ImageFormat.currentArchitecture();
        if (!parsed.architecture().equals(here)) {
            throw new ImageException(file, "checkpointed on another architecture ("
                    + (parsed.architecture().isEmpty() ? "unknown" : parsed.architecture())
                    + "); this machine is " + here);
        }
        return parsed;
    }

    private static ImageSummary walkSections(Path file, FileChannel ch, long size, ImageHeader header,
            boolean verifyPayloads) throws IOException, ImageException {
        Map<SectionType, Integer> counts = new EnumMap<>(SectionType.class);
        List<String> plugins = new ArrayList<>();
        long memoryRaw = 0;
        long memoryStored = 0;
        long sections = 0;
        int threads = -1;
        int regions = -1;
        long pos = ImageFormat.HEADER_SIZE;
        byte[] sh = new byte[ImageFormat.SECTION_HEADER_SIZE];
        CRC32C crc = new CRC32C();
        ByteBuffer chunk = verifyPayloads ? ByteBuffer.allocateDirect(CHUNK) : null;

        while (true) {
            if (size - pos < ImageFormat.SECTION_HEADER_SIZE) {
                throw new ImageException(file, NO_TRAILER);
            }
            int got = readFully(ch, ByteBuffer.wrap(sh), pos);
            if (got < sh.length) {
                throw new ImageException(file, NO_TRAILER);
            }
            ByteBuffer b = ByteBuffer.wrap(sh).order(ByteOrder.LITTLE_ENDIAN);
            crc.reset();
            crc.update(sh, 0, ImageFormat.SECTION_HEADER_CRC_SPAN);
            if ((int) crc.getValue() != b.getInt(ImageFormat.SECTION_HEADER_CRC_SPAN)) {
                throw new ImageException(file, "corrupt section header at offset " + pos + " (checksum mismatch)");
            }
            int typeCode = b.getInt(0);
            int flags = b.getInt(4);
            long payloadSize = b.getLong(16);
            long rawSize = b.getLong(24);
            int payloadCrc = b.getInt(32);
            long payloadPos = pos + ImageFormat.SECTION_HEADER_SIZE;
            if (payloadSize < 0 || payloadSize > size - payloadPos) {
                throw new ImageException(file, NO_TRAILER);
            }
            SectionType type = SectionType.of(typeCode);
            boolean lz4 = (flags & ImageFormat.SECTION_FLAG_LZ4) != 0;
            if (!lz4 && rawSize != payloadSize) {
                throw new ImageException(file, "corrupt section at offset " + pos
                        + " (uncompressed payload of " + payloadSize + " bytes claims a raw size of " + rawSize + ")");
            }

            if (type == SectionType.TRAILER) {
                checkTrailer(file, ch, size, pos, payloadSize, payloadCrc, sections, memoryRaw);
                return new ImageSummary(file, header, size, counts, sections, memoryRaw, memoryStored,
                        threads, regions, plugins, verifyPayloads);
            }

            if (verifyPayloads) {
                int actual = payloadCrc(ch, payloadPos, payloadSize, chunk, crc, file);
                if (actual != payloadCrc) {
                    throw new ImageException(file, "corrupt data in the " + type.name() + " section at offset " + pos
                            + " (payload checksum mismatch)");
                }
            }
            switch (type) {
                case MEMORY -> {
                    memoryRaw += rawSize;
                    memoryStored += payloadSize;
                }
                case THREADS -> threads = readCount(ch, payloadPos, payloadSize);
                case REGIONS -> regions = readCount(ch, payloadPos, payloadSize);
                case PLUGIN -> plugins.add(readPluginName(ch, payloadPos, payloadSize));
                default -> { }
            }
            counts.merge(type, 1, Integer::sum);
            sections++;
            pos = payloadPos + payloadSize;
        }
    }

    private static void checkTrailer(Path file, FileChannel ch, long size, long pos, long payloadSize, int payloadCrc,
            long sections, long memoryRaw) throws IOException, ImageException {
        if (payloadSize != ImageFormat.TRAILER_PAYLOAD_SIZE) {
            throw new ImageException(file, "corrupt completion trailer at offset " + pos + " (" + payloadSize
                    + " bytes, expected " + ImageFormat.TRAILER_PAYLOAD_SIZE + ")");
        }
        byte[] t = new byte[ImageFormat.TRAILER_PAYLOAD_SIZE];
        if (readFully(ch, ByteBuffer.wrap(t), pos + ImageFormat.SECTION_HEADER_SIZE) < t.length) {
            throw new ImageException(file, NO_TRAILER);
        }
        CRC32C crc = new CRC32C();
        crc.update(t);
        if ((int) crc.getValue() != payloadCrc) {
            throw new ImageException(file, "corrupt completion trailer at offset " + pos + " (checksum mismatch)");
        }
        if (!Arrays.equals(t, 0, 8, ImageFormat.TRAILER_MAGIC, 0, 8)) {
            throw new ImageException(file, "corrupt completion trailer at offset " + pos + " (bad trailer magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        long count = b.getLong(8);
        long offset = b.getLong(16);
        long memory = b.getLong(24);
        if (count != sections) {
            throw new ImageException(file, "corrupt completion trailer: it counts " + Long.toUnsignedString(count)
                    + " sections but the file has " + sections);
        }
        if (offset != pos) {
            throw new ImageException(file, "corrupt completion trailer: it says it is at offset "
                    + Long.toUnsignedString(offset) + " but it is at " + pos);
        }
        if (memory != memoryRaw) {
            throw new ImageException(file, "corrupt completion trailer: it counts " + Long.toUnsignedString(memory)
                    + " bytes of memory but the sections hold " + memoryRaw);
        }
        long end = pos + ImageFormat.SECTION_HEADER_SIZE + ImageFormat.TRAILER_PAYLOAD_SIZE;
        if (end != size) {
            throw new ImageException(file, "corrupt: " + (size - end) + " unexpected bytes after the completion trailer");
        }
    }

    private static int payloadCrc(FileChannel ch, long pos, long length, ByteBuffer chunk, CRC32C crc, Path file)
            throws IOException, ImageException {
        crc.reset();
        long done = 0;
        while (done < length) {
            chunk.clear();
            chunk.limit((int) Math.min(chunk.capacity(), length - done));
            int n = readFully(ch, chunk, pos + done);
            if (n < chunk.limit()) {
                throw new ImageException(file, NO_TRAILER);
            }
            chunk.flip();
            crc.update(chunk);
            done += n;
        }
        return (int) crc.getValue();
    }

    /**
     * The leading u32 count of a THREADS or REGIONS payload ({@code u32 count, u32 record size},
     * then the records); -1 if the payload does not have that shape.
     */
    private static int readCount(FileChannel ch, long pos, long length) throws IOException {
        if (length < 8) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(ch, b, pos) < 8) {
            return -1;
        }
        long count = Integer.toUnsignedLong(b.getInt(0));
        long recordSize = Integer.toUnsignedLong(b.getInt(4));
        if (8 + count * recordSize != length) {
            return -1;
        }
        return (int) count;
    }

    private static String readPluginName(FileChannel ch, long pos, long length) throws IOException {
        byte[] name = new byte[(int) Math.min(64, length)];
        int n = readFully(ch, ByteBuffer.wrap(name), pos);
        return ImageHeader.cString(name, 0, n);
    }

    /** Reads until {@code buf} is full or the file ends; returns the number of bytes read. */
    private static int readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** CRC32C of a 4096-byte header with its CRC field taken as 0. */
    public static int headerCrc(byte[] header) {
        CRC32C crc = new CRC32C();
        crc.update(header, 0, ImageFormat.OFF_HEADER_CRC);
        crc.update(new byte[4]);
        int after = ImageFormat.OFF_HEADER_CRC + 4;
        crc.update(header, after, ImageFormat.HEADER_SIZE - after);
        return (int) crc.getValue();
    }

    /** A hint at what a foreign file is, to help a user who picked the wrong one. */
    private static String foreignHint(byte[] b, int n) {
        if (n >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
            return " (it is an ELF program or library)";
        }
        if (n >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b) {
            return " (it is a gzip-compressed file)";
        }
        String start = new String(b, 0, Math.min(n, 64), StandardCharsets.ISO_8859_1);
        if (start.startsWith("DMTCP_CHECKPOINT_IMAGE")) {
            return " (it is a DMTCP image; Stasis cannot restart those)";
        }
        if (start.startsWith("#!")) {
            return " (it is a script)";
        }
        int printable = 0;
        int sample = Math.min(n, 512);
        for (int i = 0; i < sample; i++) {
            int c = b[i] & 0xff;
            if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
                printable++;
            }
        }
        if (sample > 0 && printable == sample) {
            return " (it looks like a text file)";
        }
        return "";
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
