package org.stasis.mtcp;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the JVM with another program through libc's {@code execve}, the way DMTCP's
 * commands replace themselves: the program keeps our pid, our parent and our terminal, so a job
 * script's {@code wait} and a shell's job control see the program itself.
 *
 * <p>Before the call it empties the calling thread's signal mask (HotSpot blocks some signals
 * and a blocked mask survives exec) and marks every file descriptor from 3 up close-on-exec,
 * except the ones the user's shell handed us, which the bin/ wrapper lists in
 * {@value #INHERITED_FDS_ENV}: the JVM's own jar and log descriptors must not leak into the
 * program, the user's {@code 3>file} redirections must reach it.
 */
public final class Exec {

    /** Comma-separated descriptor numbers (>= 3) the program must inherit. */
    public static final String INHERITED_FDS_ENV = "STASIS_INHERITED_FDS";

    private static final Logger LOG = LoggerFactory.getLogger(Exec.class);

    private static final int SIG_SETMASK = 2;
    private static final int SIGSET_BYTES = 128;
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final long SYS_CLOSE_RANGE = 436; // x86_64 and aarch64 (generic table) alike
    private static final long CLOSE_RANGE_CLOEXEC = 1L << 2;
    private static final int ENOEXEC = 8;

    private Exec() {}

    /** The libc functions used here. */
    public interface LibC {
        @SaveError
        int execve(Pointer path, Pointer argv, Pointer envp);

        @SaveError
        int pthread_sigmask(int how, Pointer set, Pointer oldset);

        @SaveError
        @Variadic(fixedCount = 2)
        int fcntl(int fd, int cmd, int arg);

        @SaveError
        @Variadic(fixedCount = 1)
        long syscall(long number, long a1, long a2, long a3);

        String strerror(int errnum);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    /**
     * Starts binding libc in the background. jnr-ffi generates its call stubs at first use,
     * which costs a few hundred milliseconds of a cold JVM; a front end that will exec calls
     * this first, so the work overlaps option parsing, image checks and the coordinator
     * probe on another core instead of delaying the exec.
     */
    public static void prepareInBackground() {
        Thread t = new Thread(() -> {
            try {
                libc();
            } catch (ExecException e) {
                LOG.debug("early libc binding failed; exec will report it", e);
            }
        }, "stasis-exec-prepare");
        t.setDaemon(true);
        t.start();
    }

    static LibC libc() throws ExecException {
        try {
            return Holder.LIBC;
        } catch (LinkageError | RuntimeException e) {
            throw new ExecException("cannot call the C library (jnr-ffi failed to load libc: " + e + ")", 0);
        }
    }

    /**
     * Executes {@code program} with {@code argv} (argv[0] included) and exactly the environment
     * {@code env}, keeping the descriptors listed in {@value #INHERITED_FDS_ENV}. Returns only by
     * throwing: on success the JVM is gone.
     */
    public static void exec(Path program, List<String> argv, Map<String, String> env) throws ExecException {
        exec(program, argv, env, inheritedFds(System.getenv(INHERITED_FDS_ENV)));
    }

    /** As {@link #exec(Path, List, Map)}, keeping the descriptors {@code keepOpen} (plus 0, 1, 2). */
    public static void exec(Path program, List<String> argv, Map<String, String> env, Set<Integer> keepOpen)
            throws ExecException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must hold at least argv[0]");
        }
        List<byte[]> args = new ArrayList<>(argv.size());
        for (String a : argv) {
            args.add(NativeText.argument(a));
        }
        List<byte[]> envp = new ArrayList<>(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) {
            envp.add(NativeText.environmentEntry(e.getKey(), e.getValue()));
        }
        byte[] path = NativeText.argument(program.toString());
        execve(program.toString(), path, args, envp, keepOpen);
    }

    /** The byte-level call: {@code display} only names the program in error messages. */
    public static void execve(String display, byte[] path, List<byte[]> argv, List<byte[]> envp, Set<Integer> keepOpen)
            throws ExecException {
        LibC libc = libc();
        Runtime rt = Runtime.getRuntime(libc);
        List<Pointer> keep = new ArrayList<>();
        Pointer cPath = cString(rt, path, keep, "program path");
        Pointer cArgv = cStringArray(rt, argv, keep, "argument");
        Pointer cEnvp = cStringArray(rt, envp, keep, "environment entry");

        clearSignalMask(libc);
        warmUp(libc);
        // Last, so that nothing opened after it (a jar a class is loaded from, another thread's
        // file) reaches the program: from here on only calls already made once run.
        markCloseOnExec(libc, keepOpen);
        libc.execve(cPath, cArgv, cEnvp);
        int errno = rt.getLastError();
        if (errno == ENOEXEC) {
            // A script without #! line: run it with /bin/sh, as execvp and the shells do.
            List<byte[]> shArgv = new ArrayList<>();
            shArgv.add(NativeText.encode("/bin/sh"));
            shArgv.add(path);
            shArgv.addAll(argv.subList(1, argv.size()));
            libc.execve(cString(rt, NativeText.encode("/bin/sh"), keep, "program path"),
                    cStringArray(rt, shArgv, keep, "argument"), cEnvp);
            int shErrno = rt.getLastError();
            Reference.reachabilityFence(keep);
            throw new ExecException("cannot execute " + display + ": " + libc.strerror(errno)
                    + " (and /bin/sh failed: " + libc.strerror(shErrno) + ")", errno);
        }
        Reference.reachabilityFence(keep);
        throw new ExecException("cannot execute " + display + ": " + libc.strerror(errno), errno);
    }

    /** Parses the comma-separated descriptor list of {@value #INHERITED_FDS_ENV}; junk is skipped. */
    public static Set<Integer> inheritedFds(String spec) {
        if (spec == null || spec.isBlank()) {
            return Set.of();
        }
        Set<Integer> fds = new LinkedHashSet<>();
        for (String part : spec.split("[,\\s]+")) {
            try {
                int fd = Integer.parseInt(part.trim());
                if (fd >= 3) {
                    fds.add(fd);
                }
            } catch (NumberFormatException e) {
                // A stray word must not stop the program from starting.
            }
        }
        return Collections.unmodifiableSet(fds);
    }

    /**
     * Makes each libc call that {@link #markCloseOnExec} and the exec use once, with arguments
     * that change nothing: the first call through jnr-ffi may load classes (and open the jar
     * they come from), which must not happen between marking the descriptors and the exec.
     */
    private static void warmUp(LibC libc) {
        try {
            libc.syscall(SYS_CLOSE_RANGE, 1, 0, CLOSE_RANGE_CLOEXEC); // first > last: EINVAL
            libc.fcntl(0, F_GETFD, 0);
            libc.execve(null, null, null); // EFAULT
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("warming up the exec calls", e);
        }
    }

    /** Every descriptor >= 3 but the inherited ones gets FD_CLOEXEC, in as few calls as there are gaps. */
    private static void markCloseOnExec(LibC libc, Set<Integer> keepOpen) {
        long r = 0;
        long from = 3;
        try {
            for (int keep : new TreeSet<>(keepOpen)) {
                if (keep > from) {
                    r |= libc.syscall(SYS_CLOSE_RANGE, from, keep - 1, CLOSE_RANGE_CLOEXEC);
                }
                from = Math.max(from, keep + 1L);
            }
            r |= libc.syscall(SYS_CLOSE_RANGE, from, 0xffff_ffffL, CLOSE_RANGE_CLOEXEC);
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("close_range unavailable", e);
            r = -1;
        }
        if (r != 0) {
            // Kernels before 5.11: walk the descriptor table instead.
            for (int fd : openFds()) {
                if (fd >= 3) {
                    int flags = libc.fcntl(fd, F_GETFD, 0);
                    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) {
                        libc.fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
                    }
                }
            }
        }
        for (int fd : keepOpen) {
            int flags = libc.fcntl(fd, F_GETFD, 0);
            if (flags >= 0 && (flags & FD_CLOEXEC) != 0) {
                libc.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
            }
        }
    }

    private static List<Integer> openFds() {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path p : dir) {
                try {
                    fds.add(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException e) {
                    // not a descriptor
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list /proc/self/fd", e);
        }
        return fds;
    }

    private static void clearSignalMask(LibC libc) throws ExecException {
        Pointer empty = Memory.allocateDirect(Runtime.getRuntime(libc), SIGSET_BYTES, true);
        if (libc.pthread_sigmask(SIG_SETMASK, empty, null) != 0) {
            throw new ExecException("cannot reset the signal mask before starting the program", 0);
        }
    }

    private static Pointer cString(Runtime rt, byte[] bytes, List<Pointer> keep, String what) {
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException(what + " contains a NUL character");
            }
        }
        Pointer p = Memory.allocateDirect(rt, bytes.length + 1, true);
        p.put(0, bytes, 0, bytes.length);
        p.putByte(bytes.length, (byte) 0);
        keep.add(p);
        return p;
    }

    private static Pointer cStringArray(Runtime rt, List<byte[]> strings, List<Pointer> keep, String what) {
        int word = rt.addressSize();
        Pointer array = Memory.allocateDirect(rt, (strings.size() + 1) * word, true);
        for (int i = 0; i < strings.size(); i++) {
            array.putPointer((long) i * word, cString(rt, strings.get(i), keep, what));
        }
        array.putAddress((long) strings.size() * word, 0L);
        keep.add(array);
        return array;
    }
}
