package org.stasis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Process liveness from /proc/PID/stat, robust against zombies and pid reuse; this process's start. */
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

    /**
     * When this process began: the exec chain script, stasis-fastlaunch, script, java keeps the
     * pid, so this is when the command began (a launch, before anything was read). To 10 ms, from
     * /proc/self/stat and /proc/uptime (ProcessHandle's start instant adds boot time in whole
     * seconds, so it can be a second early); failing that, ProcessHandle's.
     */
    static Instant selfStart() {
        Instant now = Instant.now();
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
            // fields after "pid (comm) ": state is field 3, starttime field 22 (in USER_HZ ticks,
            // which is 100 on Linux)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long startTicks = Long.parseLong(f[22 - 3]);
            double uptime = Double.parseDouble(
                    Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII).split(" ")[0]);
            long agoMillis = Math.round(uptime * 1000) - startTicks * 10;
            if (agoMillis >= 0) {
                return now.minusMillis(agoMillis);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return ProcessHandle.current().info().startInstant().orElse(now);
    }
}
