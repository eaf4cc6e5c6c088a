package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LaunchOptionsTest {

    static final Path CWD = Path.of("/work/job");

    static LaunchOptions parse(Env env, String... args) {
        CommandLine cl = Cli.build("dmtcp_launch");
        cl.parseArgs(args);
        LaunchCommand cmd = cl.getCommand();
        return cmd.resolve(env, CWD);
    }

    @Test
    void defaults() {
        LaunchOptions o = parse(Env.of(), "./a.out");
        CoordinatorRequest c = o.coordinator();
        assertEquals("localhost", c.host());
        assertEquals(7779, c.port());
        assertFalse(c.portGiven());
        assertEquals(CoordinatorMode.ANY, c.mode());
        assertNull(c.interval());
        assertNull(c.portFile());
        assertEquals(CWD, o.ckptDir());
        assertEquals(CWD, c.ckptDir());
        assertTrue(o.gzip());
        assertEquals(12, o.ckptSignal());
        assertEquals(0, o.quiet());
        assertEquals(Path.of("/tmp"), o.tmpDir());
        assertEquals("./a.out", o.program());
        assertEquals(List.of(), o.args());
        assertFalse(PluginFlags.of(o).any());
    }

    @Test
    void seedJobScriptForm() {
        // dmtcp_launch -p$port -i 8 ./dmtcp_serial (seed 000)
        LaunchOptions o = parse(Env.of(), "-p40000", "-i", "8", "./dmtcp_serial");
        assertEquals(40000, o.coordinator().port());
        assertTrue(o.coordinator().portGiven());
        assertEquals(8, o.coordinator().interval());
        assertEquals("./dmtcp_serial", o.program());
    }

    @Test
    void optionsAfterTheProgramBelongToIt() {
        LaunchOptions o = parse(Env.of(), "--no-gzip", "python3", "-i", "5", "--ckptdir", "x", "-j");
        assertFalse(o.gzip());
        assertEquals("python3", o.program());
        assertEquals(List.of("-i", "5", "--ckptdir", "x", "-j"), o.args());
        assertNull(o.coordinator().interval());
        assertEquals(CoordinatorMode.ANY, o.coordinator().mode());
    }

    @Test
    void environmentVariables() {
        Env env = Env.of("DMTCP_COORD_HOST", "node7", "DMTCP_COORD_PORT", "5000", "DMTCP_GZIP", "0",
                "DMTCP_CHECKPOINT_DIR", "ckpts", "DMTCP_CHECKPOINT_INTERVAL", "60", "DMTCP_QUIET", "2",
                "DMTCP_TMPDIR", "/scratch/tmp", "DMTCP_SIGCKPT", "10", "DMTCP_PLUGIN", "/a/p.so:/b/q.so",
                "DMTCP_COORD_LOG_FILENAME", "coord.log", "TMPDIR", "/ignored");
        LaunchOptions o = parse(env, "prog");
        assertEquals("node7", o.coordinator().host());
        assertEquals(5000, o.coordinator().port());
        assertTrue(o.coordinator().portGiven());
        assertFalse(o.gzip());
        assertEquals(CWD.resolve("ckpts"), o.ckptDir());
        assertEquals(60, o.coordinator().interval());
        assertEquals(2, o.quiet());
        assertEquals(Path.of("/scratch/tmp"), o.tmpDir());
        assertEquals(10, o.ckptSignal());
        assertEquals(List.of("/a/p.so", "/b/q.so"), o.withPlugins());
        assertEquals(CWD.resolve("coord.log"), o.coordLogfile());
    }

    @Test
    void optionsBeatEnvironment() {
        Env env = Env.of("DMTCP_COORD_PORT", "5000", "DMTCP_GZIP", "0", "DMTCP_CHECKPOINT_DIR", "/env");
        LaunchOptions o = parse(env, "-p", "6000", "--gzip", "--ckptdir", "/opt/ck", "-q", "-q", "-q", "prog");
        assertEquals(6000, o.coordinator().port());
        assertTrue(o.gzip());
        assertEquals(Path.of("/opt/ck"), o.ckptDir());
        assertEquals(2, o.quiet());
    }

    @Test
    void tmpdirFallsBackToTMPDIR() {
        assertEquals(Path.of("/var/tmp/x"), parse(Env.of("TMPDIR", "/var/tmp/x"), "p").tmpDir());
    }

    @Test
    void coordinatorModes() {
        assertEquals(CoordinatorMode.JOIN, parse(Env.of(), "-j", "p").coordinator().mode());
        assertEquals(CoordinatorMode.JOIN, parse(Env.of(), "--join-coordinator", "p").coordinator().mode());
        assertEquals(CoordinatorMode.NEW, parse(Env.of(), "--new-coordinator", "p").coordinator().mode());
        assertEquals(CoordinatorMode.NONE, parse(Env.of(), "--no-coordinator", "p").coordinator().mode());
        assertEquals(CoordinatorMode.ANY, parse(Env.of(), "--any-coordinator", "p").coordinator().mode());
        CliException e = assertThrows(CliException.class, () -> parse(Env.of(), "-j", "--new-coordinator", "p"));
        assertEquals(CliException.USAGE, e.exitCode());
    }

    @Test
    void intervalWithJoinIsRefused() {
        CliException e = assertThrows(CliException.class, () -> parse(Env.of(), "-j", "-i", "5", "p"));
        assertEquals(CliException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("--interval is not allowed with --join-coordinator"), e.getMessage());
        // From the environment it is just not applied: the running coordinator keeps its own.
        assertNull(parse(Env.of("DMTCP_CHECKPOINT_INTERVAL", "5"), "-j", "p").coordinator().interval());
    }

    @Test
    void badValues() {
        assertEquals(CliException.USAGE, assertThrows(CliException.class,
                () -> parse(Env.of(), "--ckpt-signal", "9", "p")).exitCode());
        assertEquals(CliException.USAGE, assertThrows(CliException.class,
                () -> parse(Env.of(), "-p", "70000", "p")).exitCode());
        assertEquals(CliException.USAGE, assertThrows(CliException.class,
                () -> parse(Env.of("DMTCP_COORD_PORT", "abc"), "p")).exitCode());
        assertEquals(CliException.USAGE, assertThrows(CliException.class,
                () -> parse(Env.of("DMTCP_GZIP", "maybe"), "p")).exitCode());
        assertThrows(CommandLine.ParameterException.class, () -> parse(Env.of(), "-p", "x", "p"));
        assertThrows(CommandLine.ParameterException.class, () -> parse(Env.of(), "--bogus", "p"));
        assertThrows(CommandLine.ParameterException.class, () -> parse(Env.of()));
    }

    @Test
    void pluginOptionsAreRecorded() {
        LaunchOptions o = parse(Env.of("DMTCP_ALLOC_PLUGIN", "0"), "--with-plugin", "/x/a.so:b", "--ptrace", "--rm",
                "--modify-env", "--pathvirt", "--ib", "--disable-dl-plugin", "--disable-all-plugins",
                "--ckpt-open-files", "--allow-file-overwrite", "p");
        assertEquals(List.of("/x/a.so", "b"), o.withPlugins());
        assertTrue(o.ptrace() && o.batchQueue() && o.modifyEnv() && o.pathvirt() && o.infiniband());
        assertTrue(o.disableDlPlugin() && o.disableAllocPlugin() && o.disableAllPlugins());
        assertTrue(o.ckptOpenFiles() && o.allowFileOverwrite());
        List<String> names = PluginFlags.of(o).settings().stream().map(PluginFlags.Setting::plugin).toList();
        assertEquals(List.of("files", "slurm", "ptrace", "modify-env", "pathvirt", "infiniband", "alloc", "dl"), names);
        assertTrue(parse(Env.of(), "--batch-queue", "--infiniband", "--checkpoint-open-files", "p").batchQueue());
    }

    @Test
    void anyPluginCanBeDisabledByName() {
        LaunchOptions o = parse(Env.of(), "--disable-foo-plugin", "--ptrace", "--disable-bar-baz-plugin", "prog",
                "--disable-x-plugin");
        assertEquals(List.of("foo", "bar-baz"), o.disabledPlugins());
        assertEquals(List.of("--disable-x-plugin"), o.args(), "options after the program are the program's");
        List<PluginFlags.Setting> s = PluginFlags.of(o).settings();
        assertEquals(new PluginFlags.Setting("--disable-bar-baz-plugin", "bar-baz", false), s.get(s.size() - 1));
    }

    @Test
    void otherUnknownOptionsAreStillUsageErrors() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> parse(Env.of(), "--disable-plugin", "prog"));
        assertEquals("Unknown option: '--disable-plugin'", e.getMessage());
        e = assertThrows(CommandLine.ParameterException.class, () -> parse(Env.of(), "--coord-portt", "1", "prog"));
        assertEquals("Unknown option: '--coord-portt'", e.getMessage());
    }
}
