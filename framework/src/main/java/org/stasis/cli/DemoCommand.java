package org.stasis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.stasis.barrier.Message;
import org.stasis.barrier.Secrets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stasis demo}: checkpoint, kill and restart the example counter, narrating on stderr.
 */
@Command(name = "demo",
        header = "Checkpoint, kill -9 and restart the example counter, with narration.",
        description = {"Show checkpoint/restart on the example counter program: start a coordinator on a",
            "random port, launch share/stasis/examples/count, checkpoint it after ~2 s, kill -9 it,",
            "restart it from its image, let it run ~2 s, and quit. The program prints to the terminal;",
            "narration lines start with [demo] on stderr."},
        sortOptions = false, versionProvider = VersionProvider.class)
public class DemoCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--seconds", paramLabel = "N", description = "Seconds to run before checkpointing and after"
            + " restarting (default: 2).")
    double seconds = 2;

    @Option(names = "--keep", description = "Keep the working directory with the image (printed at the end).")
    boolean keep;

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    private static void say(String s) {
        System.err.println("[demo] " + s);
        System.err.flush();
    }

    @Override
    public Integer call() throws InterruptedException {
        Path home = Installation.home();
        Path count = Installation.examples(home).resolve("count");
        if (!Files.isExecutable(count)) {
            throw new CliException("the demo program " + count + " is not installed (the examples were not built)");
        }
        Installation.natives(home); // fail early if the native part is missing
        Path dir;
        try {
            dir = Files.createTempDirectory("stasis-demo-");
        } catch (IOException e) {
            throw new CliException("cannot create a working directory: " + LocalCoordinatorOps.describe(e));
        }
        long pause = Math.max(100, (long) (seconds * 1000));
        LocalCoordinatorOps ops = new LocalCoordinatorOps(home);
        int port = ops.start(new CoordinatorOps.StartSpec(0, false, null, dir, null, null,
                Path.of(System.getProperty("java.io.tmpdir")), null));
        String secret = ops.secret("localhost", port, true);
        say("coordinator started on port " + port + "; images go to " + dir);
        Process launched = null;
        Process restarted = null;
        try {
            launched = start(List.of(Installation.bin(home, "dmtcp_launch").toString(), "--join-coordinator",
                    "--coord-port", Integer.toString(port), "--ckptdir", dir.toString(), count.toString()), dir, secret);
            say("launched " + count.getFileName() + " (pid " + launched.pid() + ")");
            Thread.sleep(pause);
            if (!launched.isAlive()) {
                throw new CliException("the program exited early (status " + launched.exitValue() + ")");
            }
            say("checkpointing (blocking until the image is on disk)...");
            long t0 = System.nanoTime();
            Message r = command(ops, port, secret, "bcheckpoint");
            if (!r.isOk()) {
                throw new CliException("checkpoint failed: " + r.get("error", "no reason given"));
            }
            Message st = command(ops, port, secret, "status");
            String images = st.get("last_images", "");
            if (images.isEmpty()) {
                throw new CliException("the checkpoint reported no image");
            }
            Path image = Path.of(images.split(":")[0]);
            say(String.format("checkpoint generation %s done in %.0f ms: %s (%s)", r.get("generation", "?"),
                    (System.nanoTime() - t0) / 1e6, image, InspectCommand.bytes(sizeOf(image))));
            say("kill -9 " + launched.pid());
            launched.destroyForcibly();
            launched.waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(300);
            say("restarting from " + image.getFileName());
            restarted = start(List.of(Installation.bin(home, "dmtcp_restart").toString(), "--join-coordinator",
                    "--coord-port", Integer.toString(port), image.toString()), dir, secret);
            Thread.sleep(pause);
            if (!restarted.isAlive()) {
                throw new CliException("the restarted program exited (status " + restarted.exitValue() + ")");
            }
            say("it continues where it was checkpointed; quitting the coordinator (kills the program)");
        } catch (IOException e) {
            throw new CliException("demo failed: " + LocalCoordinatorOps.describe(e));
        } finally {
            try {
                command(ops, port, secret, "quit");
            } catch (IOException | RuntimeException e) {
                // already gone
            }
            for (Process p : new Process[] {launched, restarted}) {
                if (p != null && !p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            if (!keep) {
                deleteTree(dir);
            }
        }
        say("done" + (keep ? "; the image is in " + dir : ""));
        return 0;
    }

    private static Process start(List<String> cmd, Path dir, String secret) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).inheritIO();
        pb.environment().put(Secrets.SECRET_ENV, secret);
        return pb.start();
    }

    private static Message command(CoordinatorOps ops, int port, String secret, String verb) throws IOException {
        return ops.command("localhost", port, secret, Message.builder("COMMAND").put("verb", verb).build());
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // leave it
                }
            });
        } catch (IOException e) {
            // leave it
        }
    }
}
