package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SiblingRestartsTest {
    private static byte[] cmdline(String... args) {
        return (String.join("\0", args) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anArgumentNamingAMissingImageByPathOrNameCounts() {
        Set<String> missing = Set.of("ckpt_fifo_1-2.dmtcp");
        assertTrue(SiblingRestarts.namesAnyOf(cmdline("java", "-cp", "x", "org.stasis.cli.Main", "-j",
                "/work/ckpt_fifo_1-2.dmtcp"), missing));
        assertTrue(SiblingRestarts.namesAnyOf(cmdline("stasis-restore", "ckpt_fifo_1-2.dmtcp"), missing));
        assertFalse(SiblingRestarts.namesAnyOf(cmdline("dmtcp_restart", "/work/ckpt_fifo_1-3.dmtcp"), missing));
        assertFalse(SiblingRestarts.namesAnyOf(cmdline("vi", "notes/"), missing));
        assertFalse(SiblingRestarts.namesAnyOf(new byte[0], missing));
    }

    @Test
    void anotherProcessNamingTheImageIsFound() throws Exception {
        String name = "ckpt_sibling_" + System.nanoTime() + ".dmtcp";
        assertFalse(SiblingRestarts.nameAny(Set.of(name)));
        Process other = new ProcessBuilder("sh", "-c", "sleep 30", "/some/dir/" + name).start();
        try {
            assertTrue(SiblingRestarts.nameAny(Set.of(name)));
        } finally {
            other.destroyForcibly().waitFor();
        }
    }
}
