package org.stasis.barrier;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link Peer} over a Netty channel. */
final class ChannelPeer implements Peer {
    private static final Logger log = LoggerFactory.getLogger(ChannelPeer.class);

    private final Channel channel;

    ChannelPeer(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void send(Message message) {
        channel.writeAndFlush(message).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() && channel.isActive()) {
                log.warn("could not send {} to {}: {}", message.verb(), remoteAddress(), f.cause().toString());
            }
        });
    }

    @Override
    public void sendAndClose(Message message) {
        channel.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public String remoteAddress() {
        return String.valueOf(channel.remoteAddress());
    }
}
