package org.stasis.barrier;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Variables the restart script exports before it runs {@code dmtcp_restart}, and their one-line
 * encoding. A launch puts the encoded text in the program's {@code STASIS_SCRIPT_ENV}; the agent
 * forwards it verbatim as the {@code script_env} key of its HELLO; the coordinator decodes it
 * and writes the variables into the script (protocol.md, "Worker HELLO").
 *
 * <p>Encoding: {@code NAME=VALUE} pairs separated by one space, in the map's order, where
 * {@code VALUE} is the UTF-8 bytes of the value with every byte outside
 * {@code A-Z a-z 0-9 - . _ ~ / : , @ +} written as {@code %XX} (upper-case hex). The result is
 * printable ASCII without spaces inside a pair and without newlines, so it survives the
 * environment and a protocol line; the empty map is the empty text.
 *
 * <p>The kernel itself gives these variables no meaning; which process wants them is the front
 * ends' business.
 */
public final class ScriptEnvironment {

    /** The launched program's variable holding the encoded variables. */
    public static final String SCRIPT_ENV_VARIABLE = "STASIS_SCRIPT_ENV";

    /**
     * Colon-separated absolute paths of plugin bundles that a launch was given; the launched
     * program has it, workers announce it as {@code bundles}, and the restart script exports it
     * so that the restart loads the same bundles.
     */
    public static final String BUNDLES_VARIABLE = "STASIS_PLUGIN_BUNDLES";

    /**
     * Names a contribution may not use: the script sets these itself, so a contribution would
     * be overwritten or would overwrite the script's own variables before they are used.
     */
    public static final Set<String> RESERVED = Set.of(SCRIPT_ENV_VARIABLE, BUNDLES_VARIABLE, "coord_host",
            "coord_port", "options", "images");

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String SAFE = "-._~/:,@+";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ScriptEnvironment() {}

    /**
     * Why {@code name} cannot be a contributed variable, or null when it can: it must be a shell
     * variable name and not one of {@link #RESERVED}.
     */
    public static String nameProblem(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return "'" + name + "' is not a shell variable name (letters, digits and _, not starting with a digit)";
        }
        if (RESERVED.contains(name)) {
            return name + " is set by the restart script itself";
        }
        return null;
    }

    /** Why {@code value} cannot be a variable's value, or null when it can. */
    public static String valueProblem(String value) {
        if (value == null) {
            return "no value (null)";
        }
        if (value.indexOf('\0') >= 0) {
            return "the value contains a NUL character, which no environment variable can hold";
        }
        return null;
    }

    /**
     * The one-line text of {@code variables}.
     *
     * @throws IllegalArgumentException naming the variable whose name or value is not allowed
     */
    public static String encode(Map<String, String> variables) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : variables.entrySet()) {
            String problem = nameProblem(e.getKey());
            if (problem == null) {
                problem = valueProblem(e.getValue());
            }
            if (problem != null) {
                throw new IllegalArgumentException("restart-script variable " + e.getKey() + ": " + problem);
            }
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(e.getKey()).append('=');
            for (byte b : e.getValue().getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if (c < 0x80 && (Character.isLetterOrDigit(c) || SAFE.indexOf(c) >= 0)) {
                    out.append((char) c);
                } else {
                    out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
                }
            }
        }
        return out.toString();
    }

    /**
     * The variables of an encoded text, in its order; blank text is none. Stricter than
     * {@link #encode} is generous: anything {@code encode} would not have written is refused,
     * so that a damaged value is noticed rather than half-used.
     *
     * @throws IllegalArgumentException saying what is malformed
     */
    public static Map<String, String> decode(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.trim().split(" +")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + pair + "' is not NAME=VALUE");
            }
            String name = pair.substring(0, eq);
            String problem = nameProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (out.containsKey(name)) {
                throw new IllegalArgumentException(name + " appears twice");
            }
            String value = unescape(name, pair.substring(eq + 1));
            problem = valueProblem(value);
            if (problem != null) {
                throw new IllegalArgumentException(name + ": " + problem);
            }
            out.put(name, value);
        }
        return out;
    }

    private static String unescape(String name, String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int hi = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException(name + ": bad escape at '" + encoded.substring(i) + "'");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80 && (Character.isLetterOrDigit(c) || SAFE.indexOf(c) >= 0)) {
                bytes.write(c);
            } else {
                throw new IllegalArgumentException(name + ": character '" + c + "' must be %-escaped");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + ": the value is not UTF-8");
        }
    }
}
