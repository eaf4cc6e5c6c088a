package org.stasis.barrier;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The listening socket and its single event loop. One thread serves accept, all connections and
 * the kernel, which is what lets the kernel go without locks.
 */
final class NettyServer {
    /** How long a closing connection may take to drain before the loop closes it anyway. */
    private static final long DRAIN_MILLIS = 2000;

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final ChannelGroup connections;
    private final Supplier<ChannelHandler> handlers;
    private Channel listener;

    /** @param handlers makes the per-connection handler; first called after {@link #acceptConnections}. */
    NettyServer(Supplier<ChannelHandler> handlers) {
        this.handlers = handlers;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("stasis-coordinator"),
                NioIoHandler.newFactory());
        this.loop = group.next();
        this.connections = new DefaultChannelGroup("stasis-connections", loop);
    }

    EventLoop loop() {
        return loop;
    }

    /** Binds but does not accept yet, so nobody connects before the kernel exists. */
    int bind(String host, int port) throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast("frames", new FrameDecoder())
                                .addLast("decoder", new MessageDecoder())
                                .addLast("encoder", new MessageEncoder())
                                .addLast("connection", handlers.get());
                    }
                });
        InetSocketAddress address = host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            if (cause instanceof BindException && String.valueOf(cause.getMessage()).contains("in use")) {
                throw new IOException(PortUse.explain(port), cause);
            }
            throw new IOException("cannot listen on " + address + ": " + cause.getMessage(), cause);
        }
        listener = bound.channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    void acceptConnections() {
        listener.config().setAutoRead(true);
    }

    /**
     * Stops listening, lets every connection send what is queued (a final RESULT, KILLs), then
     * stops the loop. Callable from any thread, any number of times.
     */
    Future<?> shutdown() {
        try {
            loop.execute(() -> {
                if (listener != null) {
                    listener.close();
                }
                for (Channel ch : connections) {
                    ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
                connections.newCloseFuture().addListener(f -> stopLoop());
                // A peer that never reads must not hold the coordinator open.
                loop.schedule(this::stopLoop, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
            });
        } catch (RejectedExecutionException e) {
            // Already stopping.
        }
        return group.terminationFuture();
    }

    private void stopLoop() {
        group.shutdownGracefully(0, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    }

    Future<?> terminationFuture() {
        return group.terminationFuture();
    }
}
