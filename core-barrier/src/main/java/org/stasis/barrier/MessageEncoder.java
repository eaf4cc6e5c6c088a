package org.stasis.barrier;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * {@link Message} to a complete frame, prefix included. Writes the prefix itself instead of using
 * a prepender so that raw buffers (the empty flush before a close) pass through unframed.
 */
final class MessageEncoder extends MessageToByteEncoder<Message> {
    MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message message, ByteBuf out) {
        byte[] payload = MessageCodec.encode(message);
        out.writeInt(payload.length);
        out.writeBytes(payload);
    }
}
