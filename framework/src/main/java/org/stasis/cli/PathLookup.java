package org.stasis.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds a program the way a POSIX shell does (execvp): names with a slash as they are, others in PATH. */
public final class PathLookup {

    /** Where the program is, or why it cannot be run: exit code 127 (not found) or 126 (not executable). */
    public record Result(Path path, int exitCode, String error) {
        public boolean found() {
            return error == null;
        }
    }

    private PathLookup() {}

    public static Result find(String program, String pathVariable, Path cwd) {
        if (program.isEmpty()) {
            return new Result(null, 127, "no program given");
        }
        if (program.indexOf('/') >= 0) {
            Path p = cwd.resolve(program);
            return check(program, p);
        }
        // POSIX default when PATH is unset; an empty entry means the current directory.
        String path = pathVariable == null ? "/usr/local/bin:/usr/bin:/bin" : pathVariable;
        Path notExecutable = null;
        for (String dir : path.split(":", -1)) {
            Path base = dir.isEmpty() ? cwd : cwd.resolve(dir);
            Path candidate = base.resolve(program);
            if (Files.isRegularFile(candidate)) {
                if (Files.isExecutable(candidate)) {
                    return new Result(candidate, 0, null);
                }
                if (notExecutable == null) {
                    notExecutable = candidate;
                }
            }
        }
        if (notExecutable != null) {
            return new Result(notExecutable, 126, program + ": permission denied (" + notExecutable + " is not executable)");
        }
        return new Result(null, 127, program + ": command not found");
    }

    private static Result check(String program, Path p) {
        if (!Files.exists(p)) {
            return new Result(null, 127, program + ": no such file or directory");
        }
        if (Files.isDirectory(p)) {
            return new Result(null, 126, program + ": is a directory");
        }
        if (!Files.isExecutable(p)) {
            return new Result(null, 126, program + ": permission denied (not executable)");
        }
        return new Result(p, 0, null);
    }
}
