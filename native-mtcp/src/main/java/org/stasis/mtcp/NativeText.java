package org.stasis.mtcp;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Java strings back into the bytes the kernel gave us.
 *
 * <p>The JVM decodes argv and the environment with the locale's charset; under the C locale any
 * non-ASCII byte becomes '?', so re-encoding a file name would change it. Where a string came
 * from our own argv ({@code /proc/self/cmdline}) or environment ({@code /proc/self/environ}) the
 * original bytes are used; anything else is encoded with the JVM's native charset.
 */
public final class NativeText {

    private static final Charset JNU = nativeCharset();
    private static final Map<String, Deque<byte[]>> ARGS = new HashMap<>();
    private static volatile Map<String, byte[]> environ;

    private NativeText() {}

    /** The charset the JVM used for argv, the environment and file names. */
    public static Charset charset() {
        return JNU;
    }

    /**
     * Remembers the raw bytes of {@code mainArgs}: the last {@code mainArgs.length} entries of
     * /proc/self/cmdline. Call once from main().
     */
    public static synchronized void registerMainArgs(String[] mainArgs) {
        List<byte[]> cmdline;
        try {
            cmdline = splitNul(Files.readAllBytes(Path.of("/proc/self/cmdline")));
        } catch (IOException | RuntimeException e) {
            return;
        }
        if (cmdline.size() < mainArgs.length) {
            return;
        }
        int base = cmdline.size() - mainArgs.length;
        for (int i = 0; i < mainArgs.length; i++) {
            byte[] raw = cmdline.get(base + i);
            if (new String(raw, JNU).equals(mainArgs[i])) {
                ARGS.computeIfAbsent(mainArgs[i], k -> new ArrayDeque<>()).add(raw);
            }
        }
    }

    /** Bytes of an argument: its original bytes if it was one of main's arguments. */
    public static synchronized byte[] argument(String s) {
        Deque<byte[]> raw = ARGS.get(s);
        if (raw != null && !raw.isEmpty()) {
            // With a lossy locale several raw arguments can decode to the same string: hand
            // them out in order, keeping the last one for repeated uses.
            return raw.size() > 1 ? raw.poll() : raw.peek();
        }
        return encode(s);
    }

    /** Bytes of an environment entry {@code key=value}: the original ones if unchanged. */
    public static byte[] environmentEntry(String key, String value) {
        Map<String, byte[]> env = environ;
        if (env == null) {
            env = loadEnviron();
            environ = env;
        }
        byte[] raw = env.get(key);
        if (raw != null) {
            int eq = indexOf(raw, (byte) '=');
            if (new String(raw, eq + 1, raw.length - eq - 1, JNU).equals(value)) {
                return raw;
            }
        }
        return encode(key + "=" + value);
    }

    /** Encodes with the JVM's native charset. */
    public static byte[] encode(String s) {
        return s.getBytes(JNU);
    }

    private static Map<String, byte[]> loadEnviron() {
        Map<String, byte[]> env = new HashMap<>();
        try {
            for (byte[] entry : splitNul(Files.readAllBytes(Path.of("/proc/self/environ")))) {
                int eq = indexOf(entry, (byte) '=');
                if (eq > 0) {
                    env.putIfAbsent(new String(entry, 0, eq, JNU), entry);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc: plain encoding for everything.
        }
        return env;
    }

    static List<byte[]> splitNul(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                out.add(Arrays.copyOfRange(data, start, i));
                start = i + 1;
            }
        }
        if (start < data.length) {
            out.add(Arrays.copyOfRange(data, start, data.length));
        }
        return out;
    }

    private static int indexOf(byte[] b, byte v) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static Charset nativeCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
