package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.stasis.mtcp.ImageHeader;
import org.stasis.mtcp.ImageSummary;
import picocli.CommandLine;

class RestartOptionsTest {

    static final Path CWD = Path.of("/work/job");

    static RestartOptions parse(Env env, String... args) {
        CommandLine cl = Cli.build("dmtcp_restart");
        cl.parseArgs(args);
        RestartCommand cmd = cl.getCommand();
        return cmd.resolve(env, CWD);
    }

    @Test
    void defaults() {
        RestartOptions o = parse(Env.of(), "-p", "40000", "-i", "12", "ckpt_a.dmtcp");
        assertEquals(List.of(CWD.resolve("ckpt_a.dmtcp")), o.images());
        assertTrue(o.strictChecking());
        assertNull(o.ckptDir());
        assertEquals(40000, o.coordinator().port());
        assertEquals(12, o.coordinator().interval());
        // a new coordinator writes its restart script next to the image
        assertEquals(CWD, o.coordinator().ckptDir());
        assertEquals(0, o.restartPause());
    }

    @Test
    void imageDirectoryOrCkptdir() {
        assertEquals(Path.of("/data/run1"), parse(Env.of(), "/data/run1/ckpt_a.dmtcp").coordinator().ckptDir());
        RestartOptions o = parse(Env.of(), "--ckptdir", "/new", "/data/run1/ckpt_a.dmtcp");
        assertEquals(Path.of("/new"), o.ckptDir());
        assertEquals(Path.of("/new"), o.coordinator().ckptDir());
        assertEquals(Path.of("/env"), parse(Env.of("DMTCP_CHECKPOINT_DIR", "/env"), "a.dmtcp").ckptDir());
    }

    @Test
    void strictChecking() {
        assertFalse(parse(Env.of(), "--no-strict-checking", "a.dmtcp").strictChecking());
        assertFalse(parse(Env.of("DMTCP_DISABLE_STRICT_CHECKING", "1"), "a.dmtcp").strictChecking());
        assertTrue(parse(Env.of("DMTCP_DISABLE_STRICT_CHECKING", "0"), "a.dmtcp").strictChecking());
    }

    @Test
    void otherOptions() {
        RestartOptions o = parse(Env.of("DMTCP_QUIET", "1"), "--debug-restart-pause", "--tmpdir", "/t", "-j",
                "--coord-logfile", "/l", "a.dmtcp", "b.dmtcp");
        assertEquals(1, o.restartPause());
        assertEquals(1, o.quiet());
        assertEquals(Path.of("/t"), o.tmpDir());
        assertEquals(Path.of("/l"), o.coordLogfile());
        assertEquals(CoordinatorMode.JOIN, o.coordinator().mode());
        assertEquals(2, o.images().size());
        assertEquals(3, parse(Env.of("DMTCP_RESTART_PAUSE", "3"), "a.dmtcp").restartPause());
        assertThrows(CommandLine.ParameterException.class, () -> parse(Env.of()));
        assertThrows(CliException.class, () -> parse(Env.of(), "-j", "-i", "4", "a.dmtcp"));
    }

    static ImageSummary summary(int uid) {
        ImageHeader h = new ImageHeader(1, 4096, 0, 0, "x86_64", 0, uid, 100, 42, 0, 0, 0, 0, 1, 1, 0, "u", "c", "count", "h",
                "k", "g", "/bin/count", List.of(), List.of());
        return new ImageSummary(Path.of("/d/ckpt_count_u.dmtcp"), h, 8192, Map.of(), 0, 0, 0, -1, -1, List.of(), false);
    }

    @Test
    void ownerCheck() {
        RestartCommand.checkOwner(summary(1000), 1000, true);
        RestartCommand.checkOwner(summary(1000), 2000, false);
        CliException e = assertThrows(CliException.class, () -> RestartCommand.checkOwner(summary(1000), 2000, true));
        assertTrue(e.getMessage().startsWith("/d/ckpt_count_u.dmtcp was checkpointed by uid 1000"), e.getMessage());
        assertTrue(e.getMessage().contains("you are uid 2000"), e.getMessage());
        assertTrue(e.getMessage().contains("--no-strict-checking"), e.getMessage());
    }
}
