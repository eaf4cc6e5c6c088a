package org.stasis.osgi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Stasis front end the way an installation's {@code bin/stasis} does: {@code org.stasis.cli.Main}
 * in a JVM of its own with {@code -Dstasis.home} and {@code -Dstasis.prog}, on the reactor's
 * classes instead of {@code lib/} (distribution/ builds after this module). A process of its own
 * because the front ends read the real environment, which is what the environment layer is about.
 */
final class StasisCli {

    /** Generous: the machine is shared, and a hang must still end the build rather than stall it. */
    private static final long GIVE_UP_MINUTES = 5;

    /** What a run printed and how it ended. */
    record Result(int exitCode, String out, String err) {

        /** Fails unless the command succeeded; the message carries what it printed. */
        Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    private StasisCli() {}

    /**
     * Runs {@code stasis <args>} in {@code workDir}. The child's environment is this JVM's without
     * any {@code STASIS_*} or {@code DMTCP_*} variable (the developer's shell must not decide a
     * test), plus {@code TMPDIR} in {@code workDir} and {@code env}.
     */
    static Result run(Path home, Path workDir, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                // bin/stasis's start-up settings, which matter on a busy two-core machine
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dstasis.home=" + home, "-Dstasis.prog=stasis",
                // surefire sets java.class.path to the test class path, which holds the framework
                // and its runtime dependencies: what distribution/ puts in lib/
                "-cp", System.getProperty("java.class.path"),
                "org.stasis.cli.Main"));
        cmd.addAll(List.of(args));
        try {
            Path tmp = Files.createDirectories(workDir.resolve("tmp"));
            Path out = Files.createTempFile(workDir, "stasis-", ".out");
            Path err = Files.createTempFile(workDir, "stasis-", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> e = pb.environment();
            e.keySet().removeIf(k -> k.startsWith("STASIS_") || k.startsWith("DMTCP_"));
            e.put("TMPDIR", tmp.toString());
            e.putAll(env);
            Process p = pb.start();
            p.getOutputStream().close(); // no input, as from a job script
            if (!p.waitFor(GIVE_UP_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("stasis " + String.join(" ", args) + " did not end; stderr so far:\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running stasis", e);
        }
    }

    /** {@code stasis plugins --json}, read back. */
    static PluginsReport plugins(Path home, Path workDir, Map<String, String> env, String... launchFlags) {
        List<String> args = new ArrayList<>(List.of("plugins", "--json"));
        args.addAll(List.of(launchFlags));
        return PluginsReport.parse(run(home, workDir, env, args.toArray(String[]::new)).requireSuccess().out());
    }
}
