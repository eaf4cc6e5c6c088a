package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;

class InspectCommandTest {

    private static ImageSummary summary(int pid, int ppid, int sid, int pgid) {
        ImageHeader h = new ImageHeader(1, 4096, 0, 0, "x86_64", 0, 1000, 100, pid, ppid, sid, pgid, 0, 3, 2, 0,
                "u", "comp", "count", "h", "k", "g", "/bin/count", List.of(), List.of());
        return new ImageSummary(Path.of("/d/ckpt_count_u.dmtcp"), h, 8192, Map.of(), 0, 0, 0, -1, -1, List.of(),
                false);
    }

    @Test
    void treeFieldsAreShownNextToThePid() {
        String text = InspectCommand.text(summary(4242, 4000, 3999, 4242));
        assertTrue(text.contains("PID:         4242 (parent 4000, session 3999, process group 4242)\n"), text);
        Map<String, Object> json = InspectCommand.toMap(summary(4242, 4000, 3999, 4242));
        assertEquals(List.of("pid", "ppid", "sid", "pgid", "tree_flags"),
                json.keySet().stream().dropWhile(k -> !k.equals("pid")).limit(5).toList());
        assertEquals(4000, json.get("ppid"));
        assertEquals(3999, json.get("sid"));
        assertEquals(4242, json.get("pgid"));
        assertEquals(0, json.get("tree_flags"));
        assertTrue(Json.write(json).contains("\"pid\":4242,\"ppid\":4000,\"sid\":3999,\"pgid\":4242,\"tree_flags\":0"),
                Json.write(json));
    }

    @Test
    void anOlderImageShowsThePidAlone() {
        String text = InspectCommand.text(summary(4242, 0, 0, 0));
        assertTrue(text.contains("PID:         4242\n"), text);
        assertEquals(0, InspectCommand.toMap(summary(4242, 0, 0, 0)).get("ppid"), "0: not recorded");
        String partly = InspectCommand.text(summary(4242, 0, 3999, 4242));
        assertTrue(partly.contains("(parent unknown, session 3999, process group 4242)"), partly);
    }
}
