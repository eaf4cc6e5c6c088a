package org.stasis.barrier;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Text payload of one frame to and from {@link Message} (docs/protocol.md, "Framing"). The
 * 4-byte length prefix is not part of the payload; the transport adds and strips it.
 */
public final class MessageCodec {

    /** Largest payload a frame may carry, in bytes. */
    public static final int MAX_FRAME = 65536;

    private MessageCodec() {}

    /**
     * @throws IllegalArgumentException if the message cannot be represented on the wire (bad
     *     verb or key, newline in a value, payload larger than {@link #MAX_FRAME}); that is a
     *     programming error of the sender, not a peer fault.
     */
    public static byte[] encode(Message m) {
        if (!isValidVerb(m.verb())) {
            throw new IllegalArgumentException("invalid verb: " + m.verb());
        }
        StringBuilder text = new StringBuilder(64).append(m.verb()).append('\n');
        for (Map.Entry<String, String> field : m.fields().entrySet()) {
            String key = field.getKey();
            String value = field.getValue();
            if (!isValidKey(key)) {
                throw new IllegalArgumentException("invalid key: " + key);
            }
            if (value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("value of " + key + " contains a newline");
            }
            text.append(key).append('=').append(value).append('\n');
        }
        byte[] payload = text.toString().getBytes(StandardCharsets.UTF_8);
        if (payload.length > MAX_FRAME) {
            throw new IllegalArgumentException(
                    "message " + m.verb() + " is " + payload.length + " bytes, more than " + MAX_FRAME);
        }
        return payload;
    }

    public static Message decode(byte[] payload) throws ProtocolException {
        if (payload.length == 0) {
            throw new ProtocolException("empty message");
        }
        if (payload.length > MAX_FRAME) {
            throw new ProtocolException("message of " + payload.length + " bytes exceeds " + MAX_FRAME);
        }
        String text = strictUtf8(payload);
        // A final newline is the norm; tolerating its absence costs nothing and helps humans
        // typing frames by hand while debugging.
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        String[] lines = text.split("\n", -1);
        String verb = lines[0];
        if (!isValidVerb(verb)) {
            throw new ProtocolException("invalid verb line: " + printable(verb));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ProtocolException("line without '=': " + printable(line));
            }
            String key = line.substring(0, eq);
            if (!isValidKey(key)) {
                throw new ProtocolException("invalid key: " + printable(key));
            }
            if (fields.put(key, line.substring(eq + 1)) != null) {
                throw new ProtocolException("duplicate key: " + key);
            }
        }
        return new Message(verb, fields);
    }

    private static String strictUtf8(byte[] payload) throws ProtocolException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return decoder.decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("message is not valid UTF-8", e);
        }
    }

    /** Verbs are upper case words like {@code ARRIVE} or {@code KV_PUT}. */
    static boolean isValidVerb(String verb) {
        if (verb.isEmpty() || verb.length() > 64) {
            return false;
        }
        for (int i = 0; i < verb.length(); i++) {
            char c = verb.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Keys are lower case ASCII; digits, '.', '_' and '-' allow {@code worker.3} and such. */
    static boolean isValidKey(String key) {
        if (key.isEmpty() || key.length() > 256) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Keeps hostile input from forging log lines or flooding them. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 80; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
