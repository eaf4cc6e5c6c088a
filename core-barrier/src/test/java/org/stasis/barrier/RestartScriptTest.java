package org.stasis.barrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs the generated script for real, with a stand-in dmtcp_restart that prints its arguments. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RestartScriptTest {
    /** The variables the stand-in dmtcp_restart prints when they are set. */
    private static final String PRINTED =
            "PLUGIN_DIR PLUGIN_TRICKY PLUGIN_EMPTY PLUGIN_LINES coord_hostname STASIS_PLUGIN_BUNDLES"
            + " STASIS_RESTART_OTHERS_ELSEWHERE";

    @TempDir
    Path dir;

    @Test
    void defaultsComeFromTheCoordinator() throws Exception {
        Path script = write(List.of("/ck/a b.dmtcp", "/ck/it's.dmtcp"));
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "/ck/a b.dmtcp", "/ck/it's.dmtcp"),
                run(script, Map.of()));
    }

    @Test
    void environmentOverridesDefaults() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp"));
        assertEquals(List.of("--coord-host", "other", "--coord-port", "9000", "/ck/a.dmtcp"),
                run(script, Map.of("DMTCP_COORD_HOST", "other", "DMTCP_COORD_PORT", "9000")));
    }

    @Test
    void optionsArePassedThrough() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp"));
        assertEquals(List.of("--coord-host", "h2", "--coord-port", "1", "--ckptdir", "/new dir",
                        "--no-strict-checking", "--interval", "30", "/ck/a.dmtcp"),
                run(script, Map.of("DMTCP_COORD_HOST", "ignored"), "-h", "h2", "--coord-port", "1", "-i", "30",
                        "--ckptdir", "/new dir", "--no-strict-checking"));
    }

    @Test
    void relativeImagesBecomeAbsoluteAndLinkIsReplaced() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        RestartScript.writeInto(ckpt, home(), "cid-1", 1, "node1", 7781, 0, List.of("ckpt_a.dmtcp"), List.of("node1"),
                Map.of(), List.of());
        RestartScript.writeInto(ckpt, home(), "cid-2", 1, "node1", 7781, 0, List.of("ckpt_a.dmtcp"), List.of("node1"),
                Map.of(), List.of());
        Path link = ckpt.resolve("dmtcp_restart_script.sh");
        assertEquals(Path.of("dmtcp_restart_script_cid-2.sh"), Files.readSymbolicLink(link));
        List<String> args = run(link, Map.of());
        assertEquals(ckpt.toAbsolutePath().resolve("ckpt_a.dmtcp").toString(), args.get(args.size() - 1));
        try (var files = Files.list(ckpt)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void helpAndBadOptions() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp"));
        Process help = new ProcessBuilder(script.toString(), "--help").redirectErrorStream(true).start();
        String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, help.waitFor());
        assertTrue(text.contains("--coord-host") && text.contains("--no-strict-checking"), text);
        Process bad = new ProcessBuilder(script.toString(), "--bogus").redirectErrorStream(true).start();
        bad.getInputStream().readAllBytes();
        assertEquals(1, bad.waitFor());
        Process missing = new ProcessBuilder(script.toString(), "-p").redirectErrorStream(true).start();
        missing.getInputStream().readAllBytes();
        assertEquals(1, missing.waitFor());
    }

    @Test
    void pluginVariablesAreExportedVerbatim() throws Exception {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("PLUGIN_DIR", "/scratch/my dir");
        vars.put("PLUGIN_TRICKY", "it's \"$HOME\" `id` $(id) \\ %41 ;&|*? end");
        vars.put("PLUGIN_EMPTY", "");
        vars.put("PLUGIN_LINES", "one\ntwo");
        vars.put("coord_hostname", "not the script's coord_host");
        Path bundle = Path.of("/opt/plug ins/counter's.jar");
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Path script = RestartScript.writeInto(ckpt, home(), "cid", 4, "node1", 7781, 0, List.of("/ck/a.dmtcp"),
                List.of("node1"), vars, List.of(bundle, Path.of("/b/folder")));
        Map<String, String> env = new LinkedHashMap<>(vars);
        env.put("STASIS_PLUGIN_BUNDLES", bundle + ":/b/folder");
        List<String> expected = new ArrayList<>();
        env.forEach((k, v) -> expected.add(k + "=" + v));
        List<String> out = run(script, Map.of());
        // The stand-in prints the variables first, then its arguments, one per line.
        assertEquals(String.join("\n", expected), String.join("\n", out.subList(0, expected.size() + 1)));
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "/ck/a.dmtcp"),
                out.subList(expected.size() + 1, out.size()));
    }

    @Test
    void theComputationsIntervalIsKeptUnlessOverridden() throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Path script = RestartScript.writeInto(ckpt, home(), "cid", 4, "node1", 7781, 8, List.of("/ck/a.dmtcp"),
                List.of("node1"), Map.of(), List.of());
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "--interval", "8", "/ck/a.dmtcp"),
                run(script, Map.of()));
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "--interval", "3", "/ck/a.dmtcp"),
                run(script, Map.of(), "-i", "3"));
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "--interval", "0", "/ck/a.dmtcp"),
                run(script, Map.of(), "--interval=0"));
        // dmtcp_restart reads DMTCP_CHECKPOINT_INTERVAL itself; the saved value must not override it
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "/ck/a.dmtcp"),
                run(script, Map.of("DMTCP_CHECKPOINT_INTERVAL", "5")));
    }

    @Test
    void noExportsWithoutPlugins() throws Exception {
        assertEquals("", RestartScript.exports(Map.of(), List.of()));
        String text = Files.readString(write(List.of("/ck/a.dmtcp")));
        assertTrue(!text.contains("export "), text);
    }

    @Test
    void eachHostsImagesRestartOnThatHostJoiningOneCoordinator() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp", "/ck/b.dmtcp", "/ck/c.dmtcp"), List.of("nodeA", "nodeB", "nodeA"));
        Ran r = runFull(script, remoteEnv());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of("STASIS_RESTART_OTHERS_ELSEWHERE=1", "--join-coordinator", "--coord-host", "node1",
                "--coord-port", "7781", "/ck/a.dmtcp", "/ck/c.dmtcp"), onHost("nodeA"));
        assertEquals(List.of("STASIS_RESTART_OTHERS_ELSEWHERE=1", "--join-coordinator", "--coord-host", "node1",
                "--coord-port", "7781", "/ck/b.dmtcp"), onHost("nodeB"));
    }

    @Test
    void aHostFileMapsTheHostsInTurnAndOneHostTakesAll() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp", "/ck/b.dmtcp", "/ck/c.dmtcp"), List.of("nodeA", "nodeB", "nodeA"));
        Path swapped = Files.writeString(dir.resolve("swapped"), "# swapped\nnodeB  slots=4\n\nnodeA # the other\n");
        assertEquals(0, runFull(script, remoteEnv(), "--hostfile", swapped.toString()).exit());
        assertEquals(List.of("/ck/a.dmtcp", "/ck/c.dmtcp"), images(onHost("nodeB")));
        assertEquals(List.of("/ck/b.dmtcp"), images(onHost("nodeA")));

        Path one = Files.writeString(dir.resolve("one"), "nodeC\n");
        assertEquals(0, runFull(script, remoteEnv(), "--hostfile=" + one).exit());
        assertEquals(List.of("/ck/a.dmtcp", "/ck/c.dmtcp", "/ck/b.dmtcp"), images(onHost("nodeC")));
    }

    @Test
    void theHostFileFollowsTheHostsAlphabeticallyNotTheOrderTheyJoined() throws Exception {
        Path script = write(List.of("/ck/z.dmtcp", "/ck/a.dmtcp"), List.of("zeta", "alpha"));
        Path file = Files.writeString(dir.resolve("file"), "one\ntwo\n");
        assertEquals(0, runFull(script, remoteEnv(), "--hostfile", file.toString()).exit());
        assertEquals(List.of("/ck/a.dmtcp"), images(onHost("one")));
        assertEquals(List.of("/ck/z.dmtcp"), images(onHost("two")));
        assertTrue(Files.readString(script).contains("alphabetical\n                          order (alpha zeta)"),
                Files.readString(script));
    }

    @Test
    void aHostFileNamingThisHostRestartsEverythingHere() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp", "/ck/b.dmtcp"), List.of("nodeA", "nodeB"));
        String me = new String(new ProcessBuilder("uname", "-n").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).trim();
        Path here = Files.writeString(dir.resolve("here"), me + "\n");
        assertEquals(List.of("--coord-host", "node1", "--coord-port", "7781", "/ck/a.dmtcp", "/ck/b.dmtcp"),
                run(script, remoteEnv(), "--hostfile", here.toString()));
    }

    @Test
    void aHostThatCannotBeReachedIsNamedWithItsImages() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp", "/ck/b.dmtcp"), List.of("nodeA", "down"));
        Ran r = runFull(script, remoteEnv());
        assertEquals(255, r.exit(), r.err());
        assertTrue(r.err().contains("the restart on down ended with status 255 (b.dmtcp)"), r.err());
        assertEquals(List.of("/ck/a.dmtcp"), images(onHost("nodeA")));
    }

    @Test
    void otherHostsNeedACoordinatorToJoin() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp", "/ck/b.dmtcp"), List.of("nodeA", "nodeB"));
        Map<String, String> env = new LinkedHashMap<>(remoteEnv());
        env.put("NO_COORDINATOR", "1");
        Ran r = runFull(script, env);
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no coordinator answers at node1:7781 for the other hosts to join"), r.err());
        assertTrue(!Files.exists(dir.resolve("hosts/nodeA")), "nothing may start without a coordinator");
    }

    @Test
    void aMissingHostFileIsNamed() throws Exception {
        Path script = write(List.of("/ck/a.dmtcp", "/ck/b.dmtcp"), List.of("nodeA", "nodeB"));
        Ran r = runFull(script, remoteEnv(), "--hostfile", dir.resolve("nope").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("cannot read the host file " + dir.resolve("nope")), r.err());
    }

    /** A remote shell that runs the command here, its output in hosts/HOST; host "down" is unreachable. */
    private Map<String, String> remoteEnv() throws IOException {
        Path hosts = Files.createDirectories(dir.resolve("hosts"));
        Path rsh = dir.resolve("rsh");
        Files.writeString(rsh, "#!/bin/bash\n"
                + "if [ \"$1\" = down ]; then echo \"ssh: connect to host down: No route to host\" >&2; exit 255; fi\n"
                + "bash -c \"$2\" > " + hosts + "/\"$1\"\n");
        Files.setPosixFilePermissions(rsh, PosixFilePermissions.fromString("rwx------"));
        return Map.of("STASIS_REMOTE_SHELL", rsh.toString());
    }

    private List<String> onHost(String host) throws IOException {
        return Files.readAllLines(dir.resolve("hosts").resolve(host));
    }

    private static List<String> images(List<String> args) {
        return args.stream().filter(a -> a.endsWith(".dmtcp")).toList();
    }

    private record Ran(int exit, String out, String err) {}

    private static Ran runFull(Path script, Map<String, String> env, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("DMTCP_") || k.startsWith("STASIS_"));
        pb.environment().putAll(env);
        Path err = Files.createTempFile("restart-script", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        return new Ran(exit, out, Files.readString(err));
    }

    private Path write(List<String> images) throws IOException {
        return write(images, images.stream().map(i -> "node1").toList());
    }

    private Path write(List<String> images, List<String> hosts) throws IOException {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        Path script = RestartScript.writeInto(ckpt, home(), "cid", 4, "node1", 7781, 0, images, hosts, Map.of(),
                List.of());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
        return script;
    }

    /** An install dir whose dmtcp_restart prints one argument per line. */
    private Path home() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("home/bin"));
        Path tool = bin.resolve("dmtcp_restart");
        // Prints the variables pluginVariablesAreExportedVerbatim exports, if set, then the arguments.
        Files.writeString(tool, "#!/bin/bash\n"
                + "for v in " + PRINTED + "; do\n"
                + "  if [ -n \"${!v+set}\" ]; then printf '%s=%s\\n' \"$v\" \"${!v}\"; fi\n"
                + "done\n"
                + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        // Answers a status request unless told there is no coordinator.
        Path command = bin.resolve("dmtcp_command");
        Files.writeString(command, "#!/bin/bash\n[ -z \"$NO_COORDINATOR\" ]\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwx------"));
        return dir.resolve("home");
    }

    private static List<String> run(Path script, Map<String, String> env, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("DMTCP_COORD_HOST");
        pb.environment().remove("DMTCP_COORD_PORT");
        pb.environment().remove("DMTCP_CHECKPOINT_INTERVAL");
        for (String v : PRINTED.split(" ")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }
}
