package org.stasis.mtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageValidatorTest {

    @TempDir
    Path dir;

    private TestImageWriter writer() {
        return new TestImageWriter().standardSections();
    }

    private String refusal(Path file, boolean verify) {
        ImageException e = assertThrows(ImageException.class, () -> ImageValidator.validate(file, verify));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "message names the file: " + e.getMessage());
        assertEquals(file, e.file());
        return e.problem();
    }

    private Path withBytes(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void validImageIsSummarised() throws Exception {
        Path f = writer().write(dir.resolve("ckpt_count_x.dmtcp"));
        for (boolean verify : new boolean[] {false, true}) {
            ImageSummary s = ImageValidator.validate(f, verify);
            assertEquals(Files.size(f), s.fileSize());
            assertEquals(6, s.sections());
            assertEquals(2, s.count(SectionType.MEMORY));
            assertEquals(1, s.count(SectionType.PROCESS));
            assertEquals(0, s.count(SectionType.TRAILER));
            assertEquals(8192 + 4096, s.memoryBytes());
            assertEquals(8192 + 1000, s.storedMemoryBytes());
            assertEquals(2, s.threads());
            assertEquals(3, s.regions());
            assertEquals(List.of("files"), s.pluginSections());
            assertEquals(verify, s.payloadsVerified());
            ImageHeader h = s.header();
            assertEquals(1, h.formatVersion());
            assertEquals("x86_64", h.architecture());
            assertEquals(1000, h.uid());
            assertEquals(3, h.generation());
            assertEquals("count", h.program());
            assertEquals("0123456789abcdef-4242-1a2b3c", h.upid());
            assertEquals("node1", h.hostName());
            assertEquals("/usr/local/bin/count", h.executable());
            assertEquals(List.of("files", "sockets"), h.plugins());
            assertTrue(h.compressed());
            assertEquals(4242, h.pid());
            assertEquals(0, h.ppid());
            assertEquals(0, h.sid());
            assertEquals(0, h.pgid());
            assertFalse(h.treeRecorded(), "an older agent's image does not know its tree");
        }
        assertEquals("count", ImageValidator.readHeader(f).program());
    }

    @Test
    void processTreeFields() throws Exception {
        TestImageWriter w = writer();
        w.ppid = 4000;
        w.sid = 3999;
        w.pgid = 4242;
        w.treeFlags = 0;
        ImageHeader h = ImageValidator.readHeader(w.write(dir.resolve("ckpt_count_tree.dmtcp")));
        assertEquals(4242, h.pid());
        assertEquals(4000, h.ppid());
        assertEquals(3999, h.sid());
        assertEquals(4242, h.pgid());
        assertEquals(0, h.treeFlags());
        assertTrue(h.treeRecorded());
        assertEquals(1, h.peers(), "the neighbouring fields are where they were");
        assertEquals("0123456789abcdef-4242-1a2b3c", h.upid());
    }

    @Test
    void missingFile() {
        assertEquals("no such file", refusal(dir.resolve("nope.dmtcp"), false));
    }

    @Test
    void directory() {
        assertTrue(refusal(dir, false).contains("is a directory"));
    }

    @Test
    void emptyFile() throws Exception {
        assertTrue(refusal(withBytes("empty.dmtcp", new byte[0]), false).startsWith("empty file"));
    }

    @Test
    void textFileIsForeign() throws Exception {
        Path f = withBytes("notes.txt", "hello, this is not an image\n".repeat(300).getBytes(StandardCharsets.US_ASCII));
        String p = refusal(f, false);
        assertTrue(p.startsWith("not a Stasis checkpoint image"), p);
        assertTrue(p.contains("text file"), p);
        Path small = withBytes("tiny.txt", "hi\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(refusal(small, false).startsWith("not a Stasis checkpoint image"));
    }

    @Test
    void elfIsForeign() throws Exception {
        byte[] elf = new byte[8192];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        String p = refusal(withBytes("a.out", elf), false);
        assertTrue(p.startsWith("not a Stasis checkpoint image"), p);
        assertTrue(p.contains("ELF"), p);
        Path real = Path.of("/bin/true");
        if (Files.isReadable(real)) {
            ImageException e = assertThrows(ImageException.class, () -> ImageValidator.validate(real));
            assertTrue(e.problem().startsWith("not a Stasis checkpoint image"));
        }
    }

    @Test
    void shorterThanHeader() throws Exception {
        byte[] img = writer().bytesOfImage();
        String p = refusal(withBytes("short.dmtcp", Arrays.copyOf(img, 1000)), false);
        assertTrue(p.startsWith("truncated: only 1000 bytes"), p);
    }

    @Test
    void futureVersion() throws Exception {
        TestImageWriter w = writer();
        w.version = 2;
        String p = refusal(w.write(dir.resolve("future.dmtcp")), false);
        assertEquals("written by a newer Stasis (format version 2; this version reads up to 1)", p);
    }

    @Test
    void headerChecksum() throws Exception {
        byte[] img = writer().bytesOfImage();
        img[ImageFormat.OFF_HOST] ^= 0x20;
        assertEquals("corrupt header (checksum mismatch)", refusal(withBytes("h.dmtcp", img), false));
    }

    @Test
    void wrongArchitecture() throws Exception {
        TestImageWriter w = writer();
        w.arch = "aarch64";
        String p = refusal(w.write(dir.resolve("arm.dmtcp")), false);
        assertTrue(p.contains("another architecture (aarch64)"), p);
    }

    @Test
    void truncatedAnywhereBeforeTheEndIsRefused() throws Exception {
        TestImageWriter w = writer();
        byte[] img = w.bytesOfImage();
        long[] cuts = {
            ImageFormat.HEADER_SIZE, // header only
            ImageFormat.HEADER_SIZE + 20, // inside the first section header
            w.sectionOffsets.get(4) + 48 + 100, // inside a memory payload
            w.trailerOffset, // everything but the trailer
            w.trailerOffset + 48 + 10, // inside the trailer payload
            img.length - 1,
        };
        for (long cut : cuts) {
            Path f = withBytes("cut" + cut + ".dmtcp", Arrays.copyOf(img, (int) cut));
            assertEquals(ImageValidator.NO_TRAILER, refusal(f, false), "cut at " + cut);
        }
    }

    @Test
    void bitFlipInSectionHeader() throws Exception {
        TestImageWriter w = writer();
        byte[] img = w.bytesOfImage();
        long off = w.sectionOffsets.get(4);
        img[(int) off + 17] ^= 0x04; // payload size
        String p = refusal(withBytes("flip.dmtcp", img), false);
        assertEquals("corrupt section header at offset " + off + " (checksum mismatch)", p);
    }

    @Test
    void bitFlipInPayloadNeedsVerification() throws Exception {
        TestImageWriter w = writer();
        byte[] img = w.bytesOfImage();
        long off = w.sectionOffsets.get(4);
        img[(int) off + 48 + 4000] ^= 0x01;
        Path f = withBytes("payload.dmtcp", img);
        ImageValidator.validate(f, false); // structure is fine
        String p = refusal(f, true);
        assertEquals("corrupt data in the MEMORY section at offset " + off + " (payload checksum mismatch)", p);
    }

    @Test
    void badTrailer() throws Exception {
        TestImageWriter w = writer();
        byte[] img = w.bytesOfImage();
        // Rewrite the trailer with a wrong section count but valid checksums.
        ByteBuffer t = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        t.put(ImageFormat.TRAILER_MAGIC).putLong(99).putLong(w.trailerOffset).putLong(8192 + 4096);
        byte[] sh = TestImageWriter.sectionHeader(65535, 0, 0, t.array(), 32);
        System.arraycopy(sh, 0, img, (int) w.trailerOffset, 48);
        System.arraycopy(t.array(), 0, img, (int) w.trailerOffset + 48, 32);
        String p = refusal(withBytes("trailer.dmtcp", img), false);
        assertTrue(p.startsWith("corrupt completion trailer: it counts 99 sections but the file has 6"), p);
    }

    @Test
    void garbageAfterTrailer() throws Exception {
        byte[] img = writer().bytesOfImage();
        byte[] longer = Arrays.copyOf(img, img.length + 10);
        String p = refusal(withBytes("long.dmtcp", longer), false);
        assertTrue(p.contains("10 unexpected bytes after the completion trailer"), p);
    }

    @Test
    void imageWithoutSectionsButTrailerIsValid() throws Exception {
        TestImageWriter w = new TestImageWriter();
        ImageSummary s = ImageValidator.validate(w.write(dir.resolve("bare.dmtcp")), true);
        assertEquals(0, s.sections());
        assertEquals(-1, s.threads());
        assertFalse(s.sectionCounts().containsKey(SectionType.MEMORY));
    }
}
