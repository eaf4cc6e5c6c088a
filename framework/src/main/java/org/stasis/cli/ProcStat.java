package org.stasis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process liveness from /proc/PID/stat, robust against zombies and pid reuse. */
final class ProcStat {

    private ProcStat() {}

    /** Fields after "(comm)": index 0 is the state (field 3), index 19 the start time (field 22). */
    private static String[] fields(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int close = s.lastIndexOf(')');
            if (close < 0) {
                return null;
            }
            String[] f = s.substring(close + 1).trim().split(" ");
            return f.length > 19 ? f : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The process's start time (clock ticks since boot), or null if it does not exist. */
    static String startTime(long pid) {
        String[] f = fields(pid);
        return f == null ? null : f[19];
    }

    /** Whether the same process (same start time) still runs; a zombie counts as gone. */
    static boolean alive(long pid, String startTime) {
        String[] f = fields(pid);
        if (f == null) {
            return false;
        }
        return !f[0].equals("Z") && !f[0].equals("X") && f[19].equals(startTime);
    }
}
