package org.stasis.barrier;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's life: the HELLO handshake, then either a worker's frames for the kernel or a
 * command client's COMMANDs answered in order. A peer that fails the handshake never reaches
 * the kernel, which is how strangers are kept from disturbing the job.
 */
final class ConnectionHandler extends SimpleChannelInboundHandler<Message> implements HandshakeGate.Pending {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private enum Phase { AWAITING_HELLO, WORKER, COMMAND, CLOSING }

    private final CoordinatorKernel kernel;
    private final CommandDispatcher commands;
    private final byte[] secret;
    private final Duration helloTimeout;
    private final HandshakeGate gate;

    private Phase phase = Phase.AWAITING_HELLO;
    private boolean holdsGateSlot;
    private ScheduledFuture<?> helloDeadline;
    private Peer peer;
    private WorkerSession worker;
    private final Deque<Message> queuedCommands = new ArrayDeque<>();
    private boolean commandRunning;

    ConnectionHandler(CoordinatorKernel kernel, CommandDispatcher commands, String secret, Duration helloTimeout,
            HandshakeGate gate) {
        this.kernel = kernel;
        this.commands = commands;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.helloTimeout = helloTimeout;
        this.gate = gate;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = new ChannelPeer(ctx.channel());
        holdsGateSlot = true;
        gate.enter(this);
        helloDeadline = ctx.executor().schedule(
                () -> refuse("no valid HELLO within " + helloTimeout.toMillis() + " ms"),
                helloTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message message) {
        switch (phase) {
            case AWAITING_HELLO -> onHello(ctx, message);
            case WORKER -> {
                try {
                    kernel.onWorkerMessage(worker, message);
                } catch (ProtocolException e) {
                    protocolError(e.getMessage());
                }
            }
            case COMMAND -> onCommand(ctx, message);
            case CLOSING -> { }
        }
    }

    private void onHello(ChannelHandlerContext ctx, Message hello) {
        if (!Verbs.HELLO.equals(hello.verb())) {
            refuse("expected HELLO, got " + hello.verb());
            return;
        }
        // Constant time, so response timing tells a guesser nothing about the secret.
        if (!MessageDigest.isEqual(secret, hello.get("secret", "").getBytes(StandardCharsets.UTF_8))) {
            refuse("wrong secret");
            return;
        }
        if (!Verbs.PROTOCOL_VERSION.equals(hello.get("proto"))) {
            refuse("unsupported protocol version " + hello.get("proto", "(none)") + ", this coordinator speaks "
                    + Verbs.PROTOCOL_VERSION);
            return;
        }
        switch (hello.get("role", "")) {
            case "worker" -> {
                WorkerHello parsed;
                try {
                    parsed = WorkerHello.parse(hello);
                } catch (ProtocolException e) {
                    refuse(e.getMessage());
                    return;
                }
                handshakeDone(Phase.WORKER);
                worker = kernel.admit(peer, parsed);
                if (worker == null) {
                    phase = Phase.CLOSING;
                }
            }
            case "command" -> {
                if (kernel.terminated()) {
                    refuse("coordinator is shutting down");
                    return;
                }
                handshakeDone(Phase.COMMAND);
                ctx.writeAndFlush(Message.builder(Verbs.WELCOME).build());
            }
            default -> refuse("unknown role " + hello.get("role", "(none)"));
        }
    }

    private void handshakeDone(Phase next) {
        phase = next;
        releaseHandshake();
    }

    private void releaseHandshake() {
        if (helloDeadline != null) {
            helloDeadline.cancel(false);
            helloDeadline = null;
        }
        if (holdsGateSlot) {
            holdsGateSlot = false;
            gate.leave(this);
        }
    }

    private void onCommand(ChannelHandlerContext ctx, Message command) {
        if (!Verbs.COMMAND.equals(command.verb())) {
            protocolError("expected COMMAND, got " + command.verb());
            return;
        }
        queuedCommands.add(command);
        runNextCommand(ctx);
    }

    /** One at a time, so RESULTs come back in request order even behind a blocking checkpoint. */
    private void runNextCommand(ChannelHandlerContext ctx) {
        if (commandRunning || queuedCommands.isEmpty() || phase != Phase.COMMAND) {
            return;
        }
        Message command = queuedCommands.poll();
        commandRunning = true;
        ctx.channel().config().setAutoRead(false);
        commands.dispatch(command).whenComplete((result, error) -> onLoop(ctx, () -> {
            Message reply = result;
            if (error != null) {
                log.error("command {} failed", command.get("verb"), error);
                reply = Message.builder(Verbs.RESULT).put("ok", 0).put("error", "internal error: " + error).build();
            }
            ctx.writeAndFlush(reply);
            commandRunning = false;
            ctx.channel().config().setAutoRead(true);
            runNextCommand(ctx);
        }));
    }

    private static void onLoop(ChannelHandlerContext ctx, Runnable task) {
        if (ctx.executor().inEventLoop()) {
            task.run();
        } else {
            ctx.executor().execute(task);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHandshake();
        phase = Phase.CLOSING;
        if (worker != null) {
            WorkerSession gone = worker;
            worker = null;
            kernel.workerGone(gone);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable problem = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (problem instanceof TooLongFrameException || problem instanceof CorruptedFrameException) {
            // Not a frame we can answer in: drop at once (protocol.md, "Framing").
            log.warn("dropped connection from {}{}: {}", peer.remoteAddress(), who(), problem.getMessage());
            phase = Phase.CLOSING;
            ctx.close();
        } else if (problem instanceof ProtocolException) {
            if (phase == Phase.AWAITING_HELLO) {
                refuse("malformed message: " + problem.getMessage());
            } else {
                protocolError("malformed message: " + problem.getMessage());
            }
        } else if (problem instanceof IOException) {
            log.debug("connection from {}{} failed: {}", peer.remoteAddress(), who(), problem.toString());
            ctx.close();
        } else {
            log.warn("closing connection from {}{} after an unexpected error", peer.remoteAddress(), who(), problem);
            ctx.close();
        }
    }

    @Override
    public void evict(String reason) {
        holdsGateSlot = false;
        refuse(reason);
    }

    private void refuse(String reason) {
        if (phase == Phase.CLOSING) {
            return;
        }
        phase = Phase.CLOSING;
        releaseHandshake();
        log.warn("refused connection from {}: {}", peer.remoteAddress(), reason);
        peer.sendAndClose(Message.builder(Verbs.REFUSED).put("reason", reason).build());
    }

    private void protocolError(String reason) {
        if (phase == Phase.CLOSING) {
            return;
        }
        phase = Phase.CLOSING;
        log.warn("closing connection from {}{}: {}", peer.remoteAddress(), who(), reason);
        peer.sendAndClose(Message.builder(Verbs.ERROR).put("reason", CommandDispatcher.oneLine(reason)).build());
    }

    private String who() {
        return worker != null ? " (" + worker.describe() + ")" : phase == Phase.COMMAND ? " (command client)" : "";
    }
}
