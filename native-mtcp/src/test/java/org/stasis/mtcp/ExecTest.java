package org.stasis.mtcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecTest {

    @TempDir
    Path dir;

    @Test
    void inheritedFdsParsing() {
        assertEquals(Set.of(), Exec.inheritedFds(null));
        assertEquals(Set.of(), Exec.inheritedFds(""));
        assertEquals(Set.of(3, 7, 10), Exec.inheritedFds("0,1,2,3,7, 10,x"));
    }

    @Test
    void failureIsReportedNotSilent() {
        ExecException e = assertThrows(ExecException.class, () -> Exec.exec(dir.resolve("no-such-program"),
                List.of("x"), Map.of(), Set.of()));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertEquals(2, e.errno());
    }

    @Test
    void replacesTheJvmWithCleanSignalMaskAndDescriptors() throws Exception {
        Path keep = Files.writeString(dir.resolve("keep.txt"), "k");
        Path drop = Files.writeString(dir.resolve("drop.txt"), "d");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", cp, ExecProbe.class.getName(),
                keep.toString(), drop.toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("PROBE=ok é"), out);
        assertTrue(out.matches("(?s).*SigBlk:\\s+0+\\n.*"), out);
        assertTrue(out.contains(keep.toString()), "inherited descriptor kept: " + out);
        assertFalse(out.contains(drop.toString()), "other descriptor closed: " + out);
        assertFalse(out.contains(".jar"), "no jar descriptors leak: " + out);
    }
}
