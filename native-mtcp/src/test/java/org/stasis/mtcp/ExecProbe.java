package org.stasis.mtcp;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Run in a child JVM by {@link ExecTest}: execs a shell that reports what it inherited. */
public final class ExecProbe {
    public static void main(String[] args) throws Exception {
        Path keep = Path.of(args[0]);
        Path drop = Path.of(args[1]);
        FileInputStream a = new FileInputStream(keep.toFile());
        FileInputStream b = new FileInputStream(drop.toFile());
        int keepFd = fdOf(keep);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("PROBE", "ok é");
        String script = "echo \"PROBE=$PROBE\"; grep SigBlk /proc/self/status;"
                + " for f in /proc/$$/fd/*; do echo \"FD ${f##*/} $(readlink $f)\"; done";
        try {
            Exec.exec(Path.of("/bin/sh"), List.of("sh", "-c", script), env, Set.of(keepFd));
        } catch (ExecException e) {
            System.out.println("FAILED " + e.getMessage());
        }
        a.close();
        b.close();
        System.exit(3);
    }

    private static int fdOf(Path file) throws Exception {
        try (var s = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : s) {
                try {
                    if (Files.readSymbolicLink(p).equals(file.toAbsolutePath())) {
                        return Integer.parseInt(p.getFileName().toString());
                    }
                } catch (Exception e) {
                    // gone
                }
            }
        }
        throw new IllegalStateException("fd of " + file + " not found");
    }
}
