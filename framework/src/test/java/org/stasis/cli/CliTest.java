package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    record Run(int rc, String out, String err) {}

    static Run run(String prog, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Cli.run(prog, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyFrontEndHasHelpAndVersion() {
        for (String prog : Cli.PROGRAMS) {
            Run h = run(prog, "--help");
            assertEquals(0, h.rc(), prog + h.err());
            assertTrue(h.out().startsWith("Usage: " + prog), prog + ": " + h.out());
            Run v = run(prog, "--version");
            assertEquals(0, v.rc());
            assertTrue(v.out().startsWith(prog + " (Stasis) "), v.out());
        }
        assertTrue(run("dmtcp_command", "-h").out().startsWith("Usage: dmtcp_command"));
    }

    @Test
    void argumentsStartingWithAtAreNotExpandedFromFiles(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("args"), "--from-the-file\n");
        for (String prog : List.of("dmtcp_launch", "stasis")) {
            CommandLine cl = Cli.build(prog);
            List<String> args = new ArrayList<>(List.of("-j", "prog", "@" + file, "@"));
            if (prog.equals("stasis")) {
                args.add(0, "launch");
            }
            CommandLine.ParseResult r = cl.parseArgs(args.toArray(String[]::new));
            LaunchCommand launch = (LaunchCommand) (r.hasSubcommand() ? r.subcommand() : r).commandSpec().userObject();
            assertEquals(List.of("@" + file, "@"), launch.args, prog);
        }
    }

    @Test
    void dmtcpNamesAreTheStasisVerbs() {
        CommandLine stasis = Cli.build("stasis");
        assertEquals(List.of("launch", "restart", "coordinator", "command", "checkpoint", "status", "inspect",
                "plugins", "demo"), List.copyOf(stasis.getSubcommands().keySet()));
        assertTrue(stasis.getSubcommands().get("launch").getCommand() instanceof LaunchCommand);
        assertTrue(stasis.getSubcommands().get("command").getCommand() instanceof CommandCommand);
        Run h = run("stasis", "launch", "--help");
        assertTrue(h.out().startsWith("Usage: stasis launch [OPTIONS] <command> [args...]"), h.out());
        Run bad = run("stasis", "launch", "--bogus", "x");
        assertEquals(2, bad.rc());
        assertTrue(bad.err().startsWith("stasis launch: Unknown option: '--bogus'"), bad.err());
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        for (String prog : Cli.PROGRAMS) {
            Run r = run(prog, "--no-such-option");
            assertEquals(2, r.rc(), prog);
            assertTrue(r.err().startsWith(prog + ": "), r.err());
            assertTrue(r.err().contains("Usage: "), r.err());
        }
        assertEquals(2, run("stasis").rc());
    }

    @Test
    void coordinatorSettings() {
        CommandLine cl = Cli.build("dmtcp_coordinator");
        cl.parseArgs("--exit-on-last", "-i", "30", "9000");
        CoordinatorCommand.Settings s = ((CoordinatorCommand) cl.getCommand()).resolve(
                Env.of("DMTCP_COORD_PORT", "1234"), Path.of("/w"));
        assertEquals(9000, s.port());
        assertEquals(30, s.interval());
        assertTrue(s.exitOnLast());
        assertEquals(Path.of("/w"), s.ckptDir());
        cl = Cli.build("dmtcp_coordinator");
        cl.parseArgs("--daemon", "--port-file", "p");
        s = ((CoordinatorCommand) cl.getCommand()).resolve(
                Env.of("DMTCP_COORD_PORT", "0", "DMTCP_CHECKPOINT_DIR", "/ck", "DMTCP_CHECKPOINT_INTERVAL", "5"),
                Path.of("/w"));
        assertEquals(0, s.port());
        assertEquals(Path.of("/w/p"), s.portFile());
        assertEquals(Path.of("/ck"), s.ckptDir());
        assertEquals(5, s.interval());
        assertTrue(s.daemon());
    }

    @Test
    void launchOfAMissingProgramIsAShellLikeError() {
        assertEquals(127, PathLookup.find("no-such-program-xyz", "/usr/bin:/bin", Path.of("/")).exitCode());
        assertTrue(PathLookup.find("sh", "/usr/bin:/bin", Path.of("/")).found());
        assertEquals(127, PathLookup.find("./nope", "/bin", Path.of("/tmp")).exitCode());
        assertEquals(126, PathLookup.find("/etc", "/bin", Path.of("/")).exitCode());
        assertEquals(Path.of("/bin/sh"), PathLookup.find("/bin/sh", null, Path.of("/")).path());
    }
}
