package org.stasis.barrier;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/** One frame body to one {@link Message}; a malformed body surfaces as a {@link ProtocolException}. */
final class MessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    MessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws ProtocolException {
        out.add(MessageCodec.decode(ByteBufUtil.getBytes(frame)));
    }
}
