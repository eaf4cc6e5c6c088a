package org.stasis.barrier;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.ByteOrder;

/**
 * Splits the byte stream at the 4-byte big-endian length prefixes and strips them. An oversized
 * or empty frame fails at once, before its body is awaited, so a peer cannot make us buffer.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {
    private static final int LENGTH_BYTES = 4;

    FrameDecoder() {
        // The limit counts the prefix too; failFast reports as soon as the length is read.
        super(MessageCodec.MAX_FRAME + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES, true);
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long frameLength = super.getUnadjustedFrameLength(buf, offset, length, order);
        if (frameLength == 0) {
            throw new CorruptedFrameException("zero-length frame");
        }
        return frameLength;
    }
}
