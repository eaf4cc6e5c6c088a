package org.stasis.barrier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** A coordinator on 127.0.0.1 with a random port and everything in a temporary directory. */
final class TestCoordinator implements AutoCloseable {
    static final Duration HELLO_TIMEOUT = Duration.ofMillis(300);

    final Path dir;
    final Path ckptDir;
    final Path secretDir;
    final Coordinator coordinator;
    final int port;
    final String secret;

    private TestCoordinator(Path dir, CoordinatorConfig config, GenerationListener listener) throws IOException {
        this.dir = dir;
        this.ckptDir = config.ckptDir();
        this.secretDir = config.secretDir();
        this.coordinator = new Coordinator(config, listener, HELLO_TIMEOUT);
        this.port = coordinator.start();
        this.secret = Secrets.read(secretDir, "127.0.0.1", port);
    }

    static TestCoordinator start(Path dir) throws IOException {
        return start(dir, 0, false, false);
    }

    static TestCoordinator start(Path dir, int interval, boolean exitOnLast, boolean exitAfterCkpt) throws IOException {
        return start(dir, interval, exitOnLast, exitAfterCkpt, GenerationListener.NONE);
    }

    static TestCoordinator start(Path dir, GenerationListener listener) throws IOException {
        return start(dir, 0, false, false, listener);
    }

    private static TestCoordinator start(Path dir, int interval, boolean exitOnLast, boolean exitAfterCkpt,
            GenerationListener listener) throws IOException {
        Path ckpt = Files.createDirectories(dir.resolve("ckpt"));
        CoordinatorConfig config = new CoordinatorConfig("127.0.0.1", 0, dir.resolve("port"), ckpt, interval,
                exitOnLast, exitAfterCkpt, dir.resolve("home"), dir.resolve("secrets"));
        return new TestCoordinator(dir, config, listener);
    }

    FakeWorker launch(String upid) throws IOException {
        return FakeWorker.launch(port, secret, upid);
    }

    FakeWorker launch(String upid, Map<String, String> extraHello) throws IOException {
        return FakeWorker.launch(port, secret, upid, extraHello);
    }

    CommandClient command() throws IOException {
        return CommandClient.connect("127.0.0.1", port, secret, Duration.ofSeconds(5));
    }

    Message command(String verb, Map<String, String> extra) throws IOException {
        try (CommandClient client = command()) {
            return client.request(Message.builder("COMMAND").put("verb", verb).putAll(extra).build());
        }
    }

    Message command(String verb) throws IOException {
        return command(verb, Map.of());
    }

    /** A blocking command answered later; runs on its own thread so the test can play the workers. */
    CompletableFuture<Message> commandAsync(String verb) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return command(verb);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, task -> {
            Thread thread = new Thread(task, "test-command-" + verb);
            thread.setDaemon(true);
            thread.start();
        });
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() {
        coordinator.close();
    }
}
