package org.stasis.cli;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.stasis.barrier.CommandClient;
import org.stasis.barrier.Message;
import org.stasis.barrier.Secrets;
import org.stasis.mtcp.Exec;

/** The real {@link CoordinatorOps}: TCP, secret files, and the installation's dmtcp_coordinator. */
public final class LocalCoordinatorOps implements CoordinatorOps {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a new coordinator may take to answer. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path home;

    public LocalCoordinatorOps(Path home) {
        this.home = home;
    }

    private static Logger log() {
        return LoggerFactory.getLogger(LocalCoordinatorOps.class);
    }

    @Override
    public ProbeResult probe(String host, int port) {
        String secret;
        try {
            secret = Secrets.read(null, host, port);
        } catch (IOException e) {
            if (!listening(host, port)) {
                return ProbeResult.absent("connection refused");
            }
            return ProbeResult.unusable("something listens there, but " + e.getMessage()
                    + " (another user's coordinator, or another program?)");
        }
        return probe(host, port, secret);
    }

    private ProbeResult probe(String host, int port, String secret) {
        try (CommandClient c = CommandClient.connect(host, port, secret, CONNECT_TIMEOUT)) {
            Message r = c.request(Message.builder("COMMAND").put("verb", "status").build());
            if (r.isOk()) {
                return ProbeResult.reachable();
            }
            return ProbeResult.unusable("status request failed: " + r.get("error", "no reason given"));
        } catch (IOException | RuntimeException e) {
            if (isRefused(e)) {
                return ProbeResult.absent("connection refused");
            }
            return ProbeResult.unusable(describe(e));
        }
    }

    @Override
    public int start(StartSpec spec) {
        Path script = Installation.bin(home, "dmtcp_coordinator");
        if (!Files.isExecutable(script)) {
            throw new CliException("cannot start a coordinator: " + script + " is missing or not executable");
        }
        Path portFile = spec.portFile();
        boolean tempPortFile = portFile == null;
        try {
            if (tempPortFile) {
                Files.createDirectories(spec.tmpDir());
                portFile = Files.createTempFile(spec.tmpDir(), "stasis-port-", ".txt");
            } else {
                portFile = portFile.toAbsolutePath();
                Files.deleteIfExists(portFile);
            }
        } catch (IOException e) {
            throw new CliException("cannot create a port file in " + spec.tmpDir() + ": " + describe(e));
        }
        try {
            List<String> cmd = new ArrayList<>();
            cmd.add(script.toString());
            cmd.add("--daemon");
            if (spec.exitOnLast()) {
                cmd.add("--exit-on-last");
            }
            cmd.add("--coord-port");
            cmd.add(Integer.toString(spec.port()));
            cmd.add("--port-file");
            cmd.add(portFile.toString());
            cmd.add("--ckptdir");
            cmd.add(spec.ckptDir().toString());
            if (spec.interval() != null) {
                cmd.add("--interval");
                cmd.add(Integer.toString(spec.interval()));
            }
            if (spec.logFile() != null) {
                cmd.add("--coord-logfile");
                cmd.add(spec.logFile().toString());
            }
            cmd.add("--tmpdir");
            cmd.add(spec.tmpDir().toString());
            if (spec.watchPid() != null) {
                cmd.add("--watch-pid");
                cmd.add(Long.toString(spec.watchPid()));
            }
            log().debug("starting coordinator: {}", cmd);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().remove(Secrets.SECRET_ENV); // it makes its own secret
            pb.environment().remove(Exec.INHERITED_FDS_ENV);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(START_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CliException("the coordinator did not start within " + START_TIMEOUT.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                throw new CliException("cannot start a coordinator on port " + spec.port() + ": " + lastLine(errors));
            }
            int port = readPort(portFile);
            awaitAnswer(port);
            return port;
        } catch (IOException e) {
            throw new CliException("cannot start a coordinator: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted while starting a coordinator");
        } finally {
            if (tempPortFile) {
                try {
                    Files.deleteIfExists(portFile);
                } catch (IOException e) {
                    // a stale temp file is harmless
                }
            }
        }
    }

    private static int readPort(Path portFile) {
        try {
            String s = Files.readString(portFile, StandardCharsets.UTF_8).trim();
            return Integer.parseInt(s);
        } catch (NoSuchFileException e) {
            throw new CliException("the new coordinator did not write its port file " + portFile);
        } catch (IOException | NumberFormatException e) {
            throw new CliException("cannot read the new coordinator's port from " + portFile + ": " + e.getMessage());
        }
    }

    /** The daemon said it is ready; make sure it answers a status request. */
    private void awaitAnswer(int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        ProbeResult last;
        do {
            String secret;
            try {
                secret = secret("localhost", port, true);
            } catch (CliException e) {
                secret = null; // not written yet
            }
            last = secret == null ? ProbeResult.absent("no secret file yet") : probe("localhost", port, secret);
            if (last.state() == ProbeResult.State.REACHABLE) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new CliException("the new coordinator on port " + port + " does not answer (" + last.reason() + ")");
    }

    @Override
    public String secret(String host, int port, boolean startedByUs) {
        try {
            if (startedByUs) {
                // Not Secrets.read: an inherited STASIS_COORD_SECRET belongs to some other coordinator.
                Path file = Secrets.secretFile(null, host, port);
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            return Secrets.read(null, host, port);
        } catch (IOException e) {
            throw new CliException("cannot read the secret of the coordinator at " + host + ":" + port + ": "
                    + describe(e));
        }
    }

    @Override
    public Message command(String host, int port, String secret, Message command) throws IOException {
        try (CommandClient c = CommandClient.connect(host, port, secret, CONNECT_TIMEOUT)) {
            return c.request(command);
        }
    }

    @Override
    public String numericAddress(String host) {
        return Hosts.numericIPv4(host);
    }

    @Override
    public String localHostName() {
        return Hosts.localHostName();
    }

    /**
     * A command connection to host:port, or a CliException "no coordinator found at host:port
     * (reason)".
     */
    public static CommandClient open(String host, int port) {
        String secret;
        try {
            secret = Secrets.read(null, host, port);
        } catch (IOException e) {
            if (!listening(host, port)) {
                throw new CliException("no coordinator found at " + host + ":" + port + " (connection refused)");
            }
            throw new CliException("no coordinator found at " + host + ":" + port + " (something listens there, but "
                    + e.getMessage() + ")");
        }
        try {
            return CommandClient.connect(host, port, secret, CONNECT_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            String reason = isRefused(e) ? "connection refused" : describe(e);
            throw new CliException("no coordinator found at " + host + ":" + port + " (" + reason + ")");
        }
    }

    /** Whether anything accepts TCP connections at host:port. */
    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    static boolean isRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof UnsupportedOperationException) {
            return "not supported by this build: " + e.getMessage();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        String last = lines.length == 0 ? "" : lines[lines.length - 1].strip();
        if (last.startsWith("dmtcp_coordinator: ")) {
            last = last.substring("dmtcp_coordinator: ".length());
        }
        return last.isEmpty() ? "it exited without saying why" : last;
    }
}
