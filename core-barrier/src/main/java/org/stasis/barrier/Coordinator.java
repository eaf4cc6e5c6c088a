package org.stasis.barrier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint coordinator: listens, admits workers and command clients, counts barriers.
 *
 * <p>All state lives in a {@link CoordinatorKernel} on one event loop thread; the public methods
 * here may be called from any thread and hop onto that loop.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_PENDING_HANDSHAKES = 256;
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final CoordinatorConfig config;
    private final GenerationListener listener;
    private final Duration helloTimeout;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private volatile NettyServer server;
    private volatile CoordinatorKernel kernel;
    private volatile Path secretFile;

    public Coordinator(CoordinatorConfig config) {
        this(config, GenerationListener.NONE);
    }

    /** A coordinator that tells {@code listener} about every completed generation. */
    public Coordinator(CoordinatorConfig config, GenerationListener listener) {
        this(config, listener, DEFAULT_HELLO_TIMEOUT);
    }

    /** For tests that cannot wait five seconds to see a silent peer dropped. */
    Coordinator(CoordinatorConfig config, Duration helloTimeout) {
        this(config, GenerationListener.NONE, helloTimeout);
    }

    Coordinator(CoordinatorConfig config, GenerationListener listener, Duration helloTimeout) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.helloTimeout = Objects.requireNonNull(helloTimeout, "helloTimeout");
    }

    /**
     * Binds, writes the secret file and then the port file (so a port file means "ready"), and
     * starts accepting connections.
     *
     * @return the port listened on
     */
    public int start() throws IOException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("coordinator already started");
        }
        String secret = Secrets.generate();
        HandshakeGate gate = new HandshakeGate(MAX_PENDING_HANDSHAKES);
        NettyServer netty = new NettyServer(() -> {
            CoordinatorKernel k = kernel;
            return new ConnectionHandler(k, new CommandDispatcher(k), secret, helloTimeout, gate);
        });
        server = netty;
        try {
            int port = netty.bind(config.bindHost(), config.port());
            String host = advertisedHost();
            KernelSettings settings = new KernelSettings(host, port, config.ckptDir(), config.stasisHome(),
                    config.exitOnLast(), config.exitAfterCkpt(), config.intervalSeconds());
            // Built on the loop it will live on, so it never has to be published across threads.
            kernel = netty.loop().submit(() -> new CoordinatorKernel(settings, netty.loop(), this::onKernelTerminated,
                    listener))
                    .get();
            secretFile = Secrets.secretFile(config.secretDir(), HostNames.localHostName(), port);
            Secrets.write(secretFile, secret);
            if (config.portFile() != null) {
                AtomicFiles.write(config.portFile(), port + "\n", "rw-r--r--");
            }
            netty.acceptConnections();
            log.info("coordinator listening on {}:{} (checkpoint dir {}, interval {})", host, port, config.ckptDir(),
                    config.intervalSeconds() == 0 ? "off" : config.intervalSeconds() + " s");
            return port;
        } catch (IOException | RuntimeException e) {
            abandonStart();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandonStart();
            throw new IOException("interrupted while starting", e);
        } catch (ExecutionException e) {
            abandonStart();
            throw new IOException("could not start the coordinator", e.getCause());
        }
    }

    private void abandonStart() {
        server.shutdown().awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        deleteSecretFile();
        terminated.countDown();
    }

    private String advertisedHost() {
        String host = config.bindHost();
        if (host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")) {
            return HostNames.localHostName();
        }
        return host;
    }

    /** Runs on the loop when the kernel decides to stop (quit, exit-on-last, exit-after-ckpt, close). */
    private void onKernelTerminated() {
        server.shutdown().addListener(f -> {
            deleteSecretFile();
            terminated.countDown();
        });
    }

    /** Returns once the coordinator has stopped: after quit(), exit-on-last, exit-after-ckpt or close(). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public CoordinatorStatus status() {
        return onLoop(k -> k.status());
    }

    public String statusText() {
        return StatusText.status(status());
    }

    public String listText() {
        return onLoop(k -> StatusText.list(k.workers()));
    }

    /**
     * Starts a generation. The future completes when it is complete or failed; a request that
     * cannot start one (already in progress, no workers) completes at once with ok=false.
     */
    public CompletableFuture<CheckpointResult> checkpoint() {
        CompletableFuture<CheckpointResult> result = onLoop(k -> k.requestCheckpoint("API request").result());
        // Callers' continuations must not run on (and possibly block) the event loop.
        return result.thenApplyAsync(Function.identity());
    }

    public void setInterval(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("interval must not be negative: " + seconds);
        }
        onLoop(k -> {
            k.setInterval(seconds);
            return null;
        });
    }

    /**
     * Reports how the work a {@link GenerationListener} started for {@code generation} went, for
     * {@code status} ({@code hook_error}): an empty or null {@code error} means it went well and
     * clears an earlier failure. A report on an older generation than one already reported is
     * ignored.
     */
    public void hookOutcome(int generation, String error) {
        onLoop(k -> {
            k.hookOutcome(generation, error);
            return null;
        });
    }

    /** Kills every worker, once a checkpoint in progress has ended. */
    public void killWorkers() {
        onLoop(k -> {
            k.checkpointSettled("kill").thenRun(() -> k.killWorkers("kill requested"));
            return null;
        });
    }

    /** Kills every worker and stops the coordinator, once a checkpoint in progress has ended. */
    public void quit() {
        onLoop(k -> {
            k.checkpointSettled("quit").thenRun(k::quit);
            return null;
        });
    }

    /** Stops the server without killing workers, and deletes the secret file. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        NettyServer netty = server;
        if (netty == null) {
            terminated.countDown();
            return;
        }
        CoordinatorKernel k = kernel;
        try {
            if (k != null) {
                netty.loop().execute(() -> k.terminate("coordinator closed"));
            } else {
                netty.shutdown();
            }
        } catch (RejectedExecutionException e) {
            // The loop is already stopping on its own.
        }
        if (!netty.loop().inEventLoop()) {
            netty.terminationFuture().awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        }
        deleteSecretFile();
    }

    private void deleteSecretFile() {
        Path file = secretFile;
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete secret file {}: {}", file, e.toString());
        }
    }

    /**
     * Runs a kernel operation on the loop and waits for it. Once the loop has stopped the kernel
     * is frozen, and reading it from here is safe.
     */
    private <T> T onLoop(Function<CoordinatorKernel, T> operation) {
        CoordinatorKernel k = kernel;
        NettyServer netty = server;
        if (k == null || netty == null) {
            throw new IllegalStateException("coordinator not started");
        }
        if (netty.loop().inEventLoop()) {
            return operation.apply(k);
        }
        Callable<T> task = () -> operation.apply(k);
        try {
            return netty.loop().submit(task).get();
        } catch (RejectedExecutionException e) {
            netty.terminationFuture().awaitUninterruptibly();
            return operation.apply(k);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the coordinator", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }
}
