package org.stasis.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.stasis.mtcp.NativeText;

/**
 * A launch plan: the outcome of plugin resolution for one launch request, and the state of every
 * file that resolution read, in the line format {@code stasis-fastlaunch} reads
 * ({@code native-mtcp/src/main/c/fl_plan.c}; described in docs/architecture.md, "Fast launch").
 * Pure: the caller supplies file states; {@link LaunchPlanCache} does the I/O.
 *
 * <p>Three sections, each a list of lines {@code keyword field...}:
 * <ul>
 *   <li>request: what the launch asked (installation, plugin options, plugin variables,
 *       {@code --with-plugin} entries, the site file {@code STASIS_CONFIG} names); the fast path
 *       computes the same lines from its own arguments and uses the plan only if they are equal
 *       byte for byte; the file is named after their hash ({@link #key});</li>
 *   <li>state: {@code stat} or {@code none} lines, one per file resolution depended on;</li>
 *   <li>result: warnings to print, native preloads, variables; then {@code end}.</li>
 * </ul>
 * Fields are bytes encoded by {@link #encode}: printable ASCII stays, anything else and '%' become
 * {@code %XX}, so fields hold no spaces or newlines.
 *
 * @param request the request lines, header first
 * @param state the state lines
 * @param result the result lines, without the final {@code end}
 */
public record LaunchPlan(List<String> request, List<String> state, List<String> result) {

    public static final String HEADER = "stasis-launch-plan 1";

    public LaunchPlan {
        request = List.copyOf(request);
        state = List.copyOf(state);
        result = List.copyOf(result);
    }

    /** The request section as text: what {@link #key} hashes. */
    public String requestText() {
        StringBuilder sb = new StringBuilder();
        request.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    /** The whole file. */
    public String text() {
        StringBuilder sb = new StringBuilder(requestText());
        state.forEach(l -> sb.append(l).append('\n'));
        result.forEach(l -> sb.append(l).append('\n'));
        return sb.append("end\n").toString();
    }

    /** The plan's file name: {@code launch-<FNV-1a 64 of the request, 16 hex digits>.plan}. */
    public String fileName() {
        return "launch-" + key(requestText()) + ".plan";
    }

    static String key(String requestText) {
        return String.format("%016x", fnv1a64(requestText.getBytes(StandardCharsets.US_ASCII)));
    }

    static long fnv1a64(byte[] data) {
        long h = 0xcbf29ce484222325L;
        for (byte b : data) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** Printable ASCII except '%' as it is, every other byte as {@code %XX} (upper-case hex). */
    static String encode(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c > ' ' && c < 0x7f && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    /** A string as the native side sees it (the JVM's native charset), encoded. */
    static String encode(String s) {
        return encode(NativeText.encode(s));
    }

    /** Whether plugin resolution reads this variable; every one present is part of the request. */
    static boolean isPluginVariable(String name) {
        return name.startsWith("STASIS_PLUGIN_") || (name.startsWith("DMTCP_") && name.endsWith("_PLUGIN"))
                || name.equals(SiteConfig.ENV);
    }

    /**
     * The request lines.
     *
     * @param home the installation
     * @param pluginOptions the plugin-related options given, as {@code --longest-name} or
     *        {@code --longest-name=value} (see {@link LaunchPlanCache#pluginOptions})
     * @param disabled names from {@code --disable-<name>-plugin}, in order
     * @param environment the raw bytes of each variable of the environment (name=value)
     * @param with the {@code --with-plugin} / {@code DMTCP_PLUGIN} entries, classified
     * @param siteConfig the absolute file {@code STASIS_CONFIG} names, or null
     */
    public static List<String> request(Path home, List<String> pluginOptions, List<String> disabled,
            Map<String, byte[]> environment, PluginSetup.WithPlugins with, Path siteConfig) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.add("home " + encode(home.toString()));
        pluginOptions.stream().map(LaunchPlan::encode).sorted().forEach(o -> lines.add("opt " + o));
        disabled.forEach(d -> lines.add("disable " + encode(d)));
        environment.entrySet().stream().filter(e -> isPluginVariable(e.getKey())).map(e -> encode(e.getValue()))
                .sorted().forEach(e -> lines.add("env " + e));
        with.names().forEach(n -> lines.add("with-name " + encode(n)));
        with.paths().forEach(p -> lines.add("with-path " + encode(p.toString())));
        if (siteConfig != null) {
            lines.add("site-config " + encode(siteConfig.toString()));
        }
        return lines;
    }

    /**
     * A file's state as {@code stasis-fastlaunch} checks it with stat(2) (following links).
     *
     * @param kind 'f' regular file, 'd' directory, 'o' anything else
     */
    public record FileState(Path path, char kind, long size, long mtimeNanos, long ctimeNanos, long inode) {

        public String line() {
            return "stat " + encode(path.toString()) + " " + kind + " " + size + " " + mtimeNanos + " " + ctimeNanos
                    + " " + inode;
        }
    }

    /** The state line of a file that does not exist (or cannot be examined). */
    public static String absent(Path path) {
        return "none " + encode(path.toString());
    }

    /**
     * The result lines.
     *
     * @param warnings the warning texts printed after {@code "<prog>: warning: "}, as bytes; null
     *        when they were not printed (-q -q) and so are unknown
     * @param launch what the plugins add to the program
     */
    public static List<String> result(List<byte[]> warnings, PluginLaunch launch) {
        List<String> lines = new ArrayList<>();
        if (warnings == null) {
            lines.add("warnings-hidden");
        } else {
            warnings.forEach(w -> lines.add("warn " + encode(w)));
        }
        for (int i = 0; i < launch.nativeNames().size(); i++) {
            lines.add("preload " + encode(launch.nativeNames().get(i)) + " " + encode(launch.preloads().get(i).toString()));
        }
        new TreeMap<>(launch.env()).forEach((k, v) -> lines.add("setenv " + encode(k + "=" + v)));
        return lines;
    }
}
