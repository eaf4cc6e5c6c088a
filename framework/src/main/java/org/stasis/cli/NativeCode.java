package org.stasis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A plugin's native half, as its bundle's {@code Bundle-NativeCode} header names it (OSGi core,
 * section 3.10): clauses separated by commas, each one or more paths inside the bundle followed
 * by {@code osname=} / {@code processor=} attributes; a final {@code *} makes the native code
 * optional. The first clause for Linux on this processor is the native half; its shared
 * objects are preloaded after the agent, in the order the clause lists them.
 */
public final class NativeCode {

    public static final String HEADER = "Bundle-NativeCode";

    private static final Set<String> LINUX = Set.of("linux");
    private static final Set<String> X86_64 = Set.of("x86-64", "x86_64", "amd64", "em64t");

    private NativeCode() {}

    /**
     * The paths of the clause that applies to Linux/x86-64; empty when the header is absent or
     * only {@code *} applies.
     *
     * @throws IllegalArgumentException naming what is wrong, when no clause applies and the
     *     header does not end in {@code *}, or a path is not a {@code .so}
     */
    public static List<String> select(String header) {
        if (header == null || header.isBlank()) {
            return List.of();
        }
        boolean optional = false;
        for (String clause : header.split(",")) {
            String c = clause.trim();
            if (c.equals("*")) {
                optional = true;
                continue;
            }
            List<String> paths = new ArrayList<>();
            boolean osOk = true;
            boolean cpuOk = true;
            boolean sawOs = false;
            boolean sawCpu = false;
            for (String part : c.split(";")) {
                String p = part.trim();
                int eq = p.indexOf('=');
                if (eq < 0) {
                    if (!p.isEmpty()) {
                        paths.add(p.startsWith("/") ? p.substring(1) : p);
                    }
                    continue;
                }
                String key = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = unquote(p.substring(eq + 1).trim()).toLowerCase(Locale.ROOT);
                if (key.equals("osname")) {
                    osOk = sawOs && osOk || LINUX.contains(value);
                    sawOs = true;
                } else if (key.equals("processor")) {
                    cpuOk = sawCpu && cpuOk || X86_64.contains(value);
                    sawCpu = true;
                }
            }
            if (osOk && cpuOk && !paths.isEmpty()) {
                for (String p : paths) {
                    if (!p.endsWith(".so")) {
                        throw new IllegalArgumentException(HEADER + " names " + p + ", which is not a shared object (.so)");
                    }
                }
                return List.copyOf(paths);
            }
        }
        if (optional) {
            return List.of();
        }
        throw new IllegalArgumentException(HEADER + " has no clause for Linux on x86-64 (and no final '*')");
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /**
     * The files to preload for a bundle's native half. Inside an exploded bundle folder they are
     * used in place; from a jar they are extracted once into {@code cache}, under a folder named
     * by the jar's digest, so that a running program (and a restart that needs the file) never
     * sees it change under it.
     *
     * @throws CliException naming the bundle and the path, when a path is missing
     */
    public static List<Path> locate(Path bundle, List<String> paths, Path cache) {
        if (paths.isEmpty()) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(bundle)) {
            for (String p : paths) {
                Path f = bundle.resolve(p).normalize();
                if (!f.startsWith(bundle) || !Files.isRegularFile(f)) {
                    throw new CliException(bundle + ": " + HEADER + " names " + p + ", which is not in the bundle");
                }
                out.add(f);
            }
            return out;
        }
        try (JarFile jar = new JarFile(bundle.toFile())) {
            Path dir = cache.resolve(digest(bundle));
            for (String p : paths) {
                JarEntry e = jar.getJarEntry(p);
                if (e == null || e.isDirectory()) {
                    throw new CliException(bundle + ": " + HEADER + " names " + p + ", which is not in the bundle");
                }
                Path target = dir.resolve(Path.of(p).getFileName().toString());
                if (!Files.isRegularFile(target)) {
                    extract(jar, e, target);
                }
                out.add(target);
            }
            return out;
        } catch (IOException e) {
            throw new CliException("cannot extract the native half of " + bundle + " into " + cache + ": "
                    + LocalCoordinatorOps.describe(e));
        }
    }

    /** Where extracted native halves live: per user, outliving launches (restarts use them). */
    public static Path cacheDir(Env env, Path tmp) {
        String xdg = env.get("XDG_CACHE_HOME");
        String home = env.get("HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                : home != null && !home.isEmpty() ? Path.of(home, ".cache") : tmp;
        Path dir = base.resolve("stasis").resolve("native");
        if (Files.isDirectory(dir) && Files.isWritable(dir) || Files.notExists(dir) && writableAncestor(dir)) {
            return dir;
        }
        return tmp.resolve("stasis-native-" + env.get("USER"));
    }

    private static boolean writableAncestor(Path p) {
        for (Path a = p.getParent(); a != null; a = a.getParent()) {
            if (Files.exists(a)) {
                return Files.isWritable(a);
            }
        }
        return false;
    }

    private static void extract(JarFile jar, JarEntry e, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".extract-", ".so");
        try (InputStream in = jar.getInputStream(e)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException x) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String digest(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
