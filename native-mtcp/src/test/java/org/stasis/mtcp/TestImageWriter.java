package org.stasis.mtcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** A tiny writer of image-format.md images, for tests only. Records offsets for corruption tests. */
final class TestImageWriter {

    record Section(int type, int flags, long address, byte[] payload, long rawSize) {}

    int version = ImageFormat.VERSION;
    String arch = "x86_64";
    int uid = 1000;
    int generation = 3;
    String program = "count";
    String upid = "0123456789abcdef-4242-1a2b3c";
    String compid = "comp-1";
    String host = "node1";
    String plugins = "files:sockets";
    /** Zero, as older agents leave them, unless a test sets them. */
    int ppid;
    int sid;
    int pgid;
    int treeFlags;
    final List<Section> sections = new ArrayList<>();

    /** Offsets of each section header written by {@link #write}, and of the trailer's. */
    final List<Long> sectionOffsets = new ArrayList<>();
    long trailerOffset;

    TestImageWriter standardSections() {
        sections.add(new Section(1, 0, 0, bytes(200, 1), 200));
        ByteBuffer threads = ByteBuffer.allocate(8 + 2 * 100).order(ByteOrder.LITTLE_ENDIAN);
        threads.putInt(2).putInt(100);
        sections.add(new Section(2, 0, 0, threads.array(), threads.capacity()));
        ByteBuffer regions = ByteBuffer.allocate(8 + 3 * 320).order(ByteOrder.LITTLE_ENDIAN);
        regions.putInt(3).putInt(320);
        sections.add(new Section(3, 0, 0, regions.array(), regions.capacity()));
        byte[] plugin = new byte[80];
        byte[] name = "files".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, plugin, 0, name.length);
        sections.add(new Section(5, 0, 0, plugin, plugin.length));
        sections.add(new Section(4, 0, 0x400000, bytes(8192, 7), 8192));
        sections.add(new Section(4, 1, 0x600000, bytes(1000, 9), 4096)); // "compressed"
        return this;
    }

    byte[] header() {
        byte[] h = new byte[ImageFormat.HEADER_SIZE];
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        System.arraycopy(ImageFormat.MAGIC, 0, h, 0, 8);
        b.putInt(8, version);
        b.putInt(12, ImageFormat.HEADER_SIZE);
        b.putInt(20, 1);
        put(h, 24, 16, arch);
        b.putLong(40, 1_700_000_000_000_000_000L);
        b.putInt(48, uid);
        b.putInt(52, 100);
        b.putInt(56, 4242);
        b.putInt(60, generation);
        b.putInt(64, 1);
        b.putInt(80, ppid);
        b.putInt(84, sid);
        b.putInt(88, pgid);
        b.putInt(92, treeFlags);
        put(h, 96, 80, upid);
        put(h, 176, 80, compid);
        put(h, 256, 256, program);
        put(h, 512, 256, host);
        put(h, 768, 128, "6.1.0-test");
        put(h, 896, 64, "2.36");
        put(h, 960, 1024, "/usr/local/bin/count");
        put(h, 1984, 1024, plugins);
        b.putInt(16, ImageValidator.headerCrc(h));
        return h;
    }

    byte[] bytesOfImage() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header());
        sectionOffsets.clear();
        long memory = 0;
        for (Section s : sections) {
            sectionOffsets.add((long) out.size());
            out.write(sectionHeader(s.type, s.flags, s.address, s.payload, s.rawSize));
            out.write(s.payload);
            if (s.type == 4) {
                memory += s.rawSize;
            }
        }
        trailerOffset = out.size();
        ByteBuffer t = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        t.put(ImageFormat.TRAILER_MAGIC).putLong(sections.size()).putLong(trailerOffset).putLong(memory);
        out.write(sectionHeader(65535, 0, 0, t.array(), 32));
        out.write(t.array());
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytesOfImage());
        return file;
    }

    static byte[] sectionHeader(int type, int flags, long address, byte[] payload, long rawSize) {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type).putInt(4, flags).putLong(8, address).putLong(16, payload.length).putLong(24, rawSize);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        b.putInt(32, (int) crc.getValue());
        CRC32C hcrc = new CRC32C();
        hcrc.update(b.array(), 0, 44);
        b.putInt(44, (int) hcrc.getValue());
        return b.array();
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, h, off, Math.min(v.length, len - 1));
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
