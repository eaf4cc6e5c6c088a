package org.stasis.barrier;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {

    @Test
    void roundTripKeepsVerbFieldsAndOrder() throws ProtocolException {
        Message m = Message.builder("ARRIVE")
                .put("name", "SUSPEND")
                .put("generation", 3)
                .put("ok", 1)
                .put("empty", "")
                .put("eq", "a=b=c")
                .put("unicode", "Grüße ✓")
                .build();
        byte[] bytes = MessageCodec.encode(m);
        assertEquals("ARRIVE\nname=SUSPEND\ngeneration=3\nok=1\nempty=\neq=a=b=c\nunicode=Grüße ✓\n",
                new String(bytes, UTF_8));
        Message back = MessageCodec.decode(bytes);
        assertEquals(m, back);
        assertEquals(List.of("name", "generation", "ok", "empty", "eq", "unicode"), List.copyOf(back.fields().keySet()));
        assertTrue(back.isOk());
        assertEquals("a=b=c", back.get("eq"));
    }

    @Test
    void verbOnlyMessage() throws ProtocolException {
        assertArrayEquals("KILL\n".getBytes(UTF_8), MessageCodec.encode(Message.builder("KILL").build()));
        assertEquals(Message.builder("KILL").build(), MessageCodec.decode("KILL".getBytes(UTF_8)));
    }

    @Test
    void accessorsAndBuilder() {
        Message m = Message.builder("RESULT").put("ok", 0).put("gone", null).build();
        assertFalse(m.isOk());
        assertNull(m.get("gone"));
        assertEquals("dflt", m.get("gone", "dflt"));
        assertThrows(UnsupportedOperationException.class, () -> m.fields().put("x", "y"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",                       // empty
        "\nkey=value\n",          // no verb
        "arrive\n",               // lower-case verb
        "AR RIVE\n",              // space in verb
        "ARRIVE\nno equals sign\n",
        "ARRIVE\n=value\n",       // empty key
        "ARRIVE\nName=x\n",       // upper-case key
        "ARRIVE\nname=a\nname=b\n", // duplicate key
        "ARRIVE\nname=a\n\n",     // empty line
        "ARRIVE\r\nname=a\r\n",   // CRLF is not the protocol
    })
    void rejectsMalformedText(String text) {
        assertThrows(ProtocolException.class, () -> MessageCodec.decode(text.getBytes(UTF_8)));
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bad = {'H', 'E', 'L', 'L', 'O', '\n', 'k', '=', (byte) 0xC3, (byte) 0x28, '\n'};
        assertThrows(ProtocolException.class, () -> MessageCodec.decode(bad));
    }

    @Test
    void rejectsOversizedPayload() {
        byte[] big = new byte[MessageCodec.MAX_FRAME + 1];
        java.util.Arrays.fill(big, (byte) 'A');
        assertThrows(ProtocolException.class, () -> MessageCodec.decode(big));
    }

    @Test
    void refusesToEncodeWhatCannotBeDecoded() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodec.encode(Message.builder("EVENT").put("name", "a\nb").build()));
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodec.encode(Message.builder("EVENT").put("Bad", "x").build()));
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(Message.builder("event").build()));
        assertThrows(IllegalArgumentException.class, () -> MessageCodec.encode(
                Message.builder("EVENT").put("big", "x".repeat(MessageCodec.MAX_FRAME)).build()));
    }
}
