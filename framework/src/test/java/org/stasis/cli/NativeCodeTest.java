package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeCodeTest {

    @Test
    void picksTheLinuxX8664Clause() {
        assertEquals(List.of("lib/arm/a.so"), NativeCode.select("lib/arm/a.so; osname=Linux; processor=x86_64"));
        assertEquals(List.of("x/a.so", "x/b.so"),
                NativeCode.select("w/a.dll; osname=Win32; processor=x86-64, x/a.so; x/b.so; osname=linux;"
                        + " processor=amd64"));
        assertEquals(List.of("n.so"), NativeCode.select("/n.so"), "no attributes: any platform; a leading / is the root");
        assertEquals(List.of("n.so"), NativeCode.select("n.so; osname=\"Linux\"; osname=SunOS; processor=x86-64"));
    }

    @Test
    void absentOrOptionalMeansNoNativeHalf() {
        assertEquals(List.of(), NativeCode.select(null));
        assertEquals(List.of(), NativeCode.select("w/a.dll; osname=Win32, *"));
    }

    @Test
    void noMatchingClauseIsAnErrorThatSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeCode.select("a.so; osname=Linux; processor=aarch64"));
        assertTrue(e.getMessage().contains("no clause for Linux on x86-64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NativeCode.select("a.dylib"));
        assertTrue(e.getMessage().contains("a.dylib"), e.getMessage());
    }

    @Test
    void extractsFromAJarOnceAndUsesFoldersInPlace(@TempDir Path tmp) throws IOException {
        Path jar = tmp.resolve("p.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("native/libp.so"));
            out.write(new byte[] {0x7f, 'E', 'L', 'F'});
            out.closeEntry();
        }
        Path cache = tmp.resolve("cache");
        List<Path> got = NativeCode.locate(jar, List.of("native/libp.so"), cache);
        assertEquals(1, got.size());
        assertTrue(got.get(0).startsWith(cache) && Files.isExecutable(got.get(0)), got.toString());
        assertEquals(got, NativeCode.locate(jar, List.of("native/libp.so"), cache), "same jar, same file");

        Path dir = tmp.resolve("exploded");
        Files.createDirectories(dir.resolve("native"));
        try (OutputStream o = Files.newOutputStream(dir.resolve("native/libq.so"))) {
            o.write(1);
        }
        assertEquals(List.of(dir.resolve("native/libq.so")), NativeCode.locate(dir, List.of("native/libq.so"), cache));
        CliException missing = assertThrows(CliException.class,
                () -> NativeCode.locate(jar, List.of("native/libnone.so"), cache));
        assertTrue(missing.getMessage().contains("native/libnone.so") && missing.getMessage().contains("p.jar"),
                missing.getMessage());
    }
}
