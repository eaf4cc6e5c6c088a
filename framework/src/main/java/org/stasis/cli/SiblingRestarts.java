package org.stasis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Other restart commands on this host that name some of the given images: {@code dmtcp_restart a
 * & dmtcp_restart b}, each a JVM that may start seconds after the other on a loaded machine. A
 * command that finds one of those knows its missing images are on their way without asking the
 * coordinator in time. Looks at every process's command line this user may read (the front-end
 * script, its JVM, or the restorer it became), never its own.
 */
final class SiblingRestarts {
    private SiblingRestarts() {}

    /** Whether another process's command line has an argument whose file name is in {@code names}. */
    static boolean nameAny(Set<String> names) {
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName()))) {
            for (Path proc : procs) {
                if (Long.parseLong(proc.getFileName().toString()) != self && names(proc.resolve("cmdline"), names)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // nothing found: the coordinator decides
        }
        return false;
    }

    static boolean namesAnyOf(byte[] cmdline, Set<String> names) {
        for (String arg : new String(cmdline, StandardCharsets.UTF_8).split("\0")) {
            int slash = arg.lastIndexOf('/');
            if (!arg.isEmpty() && names.contains(arg.substring(slash + 1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean names(Path cmdline, Set<String> names) {
        try {
            return namesAnyOf(Files.readAllBytes(cmdline), names);
        } catch (IOException | SecurityException e) {
            return false; // gone, or not ours to read
        }
    }

    private static boolean isPid(Path name) {
        String s = name.toString();
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
