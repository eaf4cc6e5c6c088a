package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LaunchPlanCacheTest {

    /** A start long after the test made its files: nothing counts as changed just now. */
    static final Instant LATER = Instant.now().plus(Duration.ofDays(1));

    @TempDir
    Path dir;
    Path home;
    Path cache;

    @BeforeEach
    void installation() throws IOException {
        home = Files.createDirectories(dir.resolve("stasis"));
        Files.createDirectories(home.resolve("bundles"));
        Files.createDirectories(home.resolve("lib"));
        Files.createDirectories(home.resolve("etc"));
        cache = dir.resolve("cache/stasis");
    }

    static LaunchCommand parsed(String prog, String... args) {
        CommandLine cl = Cli.build(prog);
        CommandLine.ParseResult r = cl.parseArgs(args);
        if (prog.equals("stasis")) {
            return (LaunchCommand) r.subcommand().commandSpec().userObject();
        }
        return cl.getCommand();
    }

    LaunchOptions options(LaunchCommand c, Env env) {
        return c.resolve(env, dir);
    }

    Path write(LaunchCommand c, Env env, List<byte[]> warnings, PluginLaunch result, Instant started)
            throws Exception {
        LaunchOptions o = options(c, env);
        return LaunchPlanCache.write(cache, home, env, dir, o,
                LaunchPlanCache.pluginOptions(c.spec.commandLine().getParseResult()), warnings, result, started);
    }

    @Test
    void pluginOptionsAreTheOnesGivenByLongestNameLeavingOutWhatTheFastPathResolves() {
        String[] args = {"-j", "-p", "7000", "--rm", "--ib", "--ckpt-open-files", "--with-plugin=a:b",
            "--allow-file-overwrite", "-q", "--ckptdir", "x", "--no-gzip", "--disable-foo-plugin", "prog", "--ptrace"};
        List<String> expected = List.of("--allow-file-overwrite", "--batch-queue", "--checkpoint-open-files",
                "--infiniband", "--with-plugin=a:b");
        for (String prog : List.of("dmtcp_launch", "stasis")) {
            String[] full = prog.equals("stasis") ? Stream.concat(Stream.of("launch"), Stream.of(args))
                    .toArray(String[]::new) : args;
            LaunchCommand c = parsed(prog, full);
            List<String> got = LaunchPlanCache.pluginOptions(c.spec.commandLine().getParseResult());
            assertEquals(expected, got.stream().sorted().toList(), prog);
        }
        // A flag set to false is recorded as such, so it never looks like the flag being absent.
        LaunchCommand c = parsed("dmtcp_launch", "--ptrace=false", "prog");
        assertEquals(List.of("--ptrace=false"), LaunchPlanCache.pluginOptions(c.spec.commandLine().getParseResult()));
    }

    @Test
    void theOldestPlansBeyondTheLimitAndStaleTemporaryFilesArePruned() throws Exception {
        Files.createDirectories(cache);
        Instant now = Instant.now();
        List<Path> plans = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path p = Files.writeString(cache.resolve(String.format("launch-%016x.plan", i)), "plan " + i);
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(now.minusSeconds(100 - i)));
            plans.add(p);
        }
        Path staleTmp = Files.writeString(cache.resolve(".launch-1.tmp"), "");
        Files.setLastModifiedTime(staleTmp, java.nio.file.attribute.FileTime.from(now.minusSeconds(7200)));
        Path freshTmp = Files.writeString(cache.resolve(".launch-2.tmp"), "");
        Path other = Files.writeString(cache.resolve("notes.txt"), "not ours to delete");
        // the one just written is plans[0], the oldest by time: it is kept all the same
        LaunchPlanCache.prune(cache, plans.get(0), 4);
        for (int i = 0; i < 10; i++) {
            boolean kept = i == 0 || i >= 7; // the new one, and the 3 newest others
            assertEquals(kept, Files.exists(plans.get(i)), "plan " + i);
        }
        assertFalse(Files.exists(staleTmp), "a temporary file older than an hour is a dead launch's");
        assertTrue(Files.exists(freshTmp), "a fresh temporary file may be a launch writing now");
        assertTrue(Files.exists(other));
    }

    @Test
    void theLaunchBeganWhenThisProcessDid() {
        Instant start = ProcStat.selfStart();
        Instant reported = ProcessHandle.current().info().startInstant().orElseThrow();
        Instant jvm = Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        // The process began (exec) a little before the JVM noted its own start; ProcessHandle
        // rounds the boot time down to a second, so it may be up to a second earlier still.
        assertTrue(!start.isAfter(jvm.plusMillis(20)), start + " is after the JVM's start " + jvm);
        assertTrue(!start.isBefore(reported.minusMillis(20)), start + " is before ProcessHandle's " + reported);
        assertTrue(Duration.between(start, jvm).toMillis() < 1000, start + " vs the JVM's start " + jvm);
    }

    @Test
    void cacheDirectoryFollowsXdgThenHome() {
        assertEquals(Path.of("/x/stasis"), LaunchPlanCache.cacheDir(Env.of("XDG_CACHE_HOME", "/x", "HOME", "/h")));
        assertEquals(Path.of("/h/.cache/stasis"), LaunchPlanCache.cacheDir(Env.of("XDG_CACHE_HOME", "rel", "HOME", "/h")));
        assertNull(LaunchPlanCache.cacheDir(Env.of("HOME", "")));
    }

    @Test
    void writesAPrivatePlanNamedAfterItsRequest() throws Exception {
        Path bundle = TestBundles.jar(home.resolve("bundles/alpha-1.0.jar"), TestBundles.plugin("alpha", "1.0", true));
        Path folder = TestBundles.folder(home.resolve("bundles/beta"), TestBundles.plugin("beta", "1.0", false));
        Env env = Env.of("STASIS_PLUGIN_ALPHA", "1", "PATH", "/bin");
        LaunchCommand c = parsed("dmtcp_launch", "--rm", "prog");
        PluginLaunch result = new PluginLaunch(List.of(), List.of(), Map.of("STASIS_X", "1"));
        Path file = write(c, env, List.of("plugin slurm is not installed; ...".getBytes(StandardCharsets.UTF_8)), result,
                LATER);

        assertEquals(cache, file.getParent());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of(file), s.toList(), "nothing but the plan is left in the cache");
        }
        String text = Files.readString(file);
        List<String> lines = text.lines().toList();
        assertTrue(text.startsWith("stasis-launch-plan 1\nhome " + home + "\nopt --batch-queue\n"
                + "env STASIS_PLUGIN_ALPHA=1\n"), text);
        assertEquals(LaunchPlan.key(text.substring(0, text.indexOf("\nstat ") + 1)),
                file.getFileName().toString().replaceAll("launch-|\\.plan", ""));
        assertTrue(lines.contains(LaunchPlanCache.fileState(home.resolve("bundles")).line()), text);
        assertTrue(lines.contains(LaunchPlanCache.fileState(bundle).line()), text);
        assertTrue(lines.contains(LaunchPlanCache.fileState(folder.resolve("META-INF/MANIFEST.MF")).line()),
                "every file of a folder bundle is recorded\n" + text);
        assertTrue(lines.contains(LaunchPlan.absent(home.resolve("etc/stasis.conf"))), text);
        assertTrue(lines.contains(LaunchPlanCache.fileState(home.resolve("lib")).line()), text);
        assertTrue(text.endsWith("warn plugin%20slurm%20is%20not%20installed;%20...\nsetenv STASIS_X=1\nend\n"), text);
    }

    @Test
    void theSiteFilesAreRecordedWhereResolutionReadThem() throws Exception {
        Path site = Files.writeString(dir.resolve("site.conf"), "plugin.x = off\n");
        Files.writeString(home.resolve("etc/stasis.conf"), "# nothing\n");
        Env env = Env.of("STASIS_CONFIG", dir + "//./site.conf");
        Path file = write(parsed("dmtcp_launch", "prog"), env, List.of(), PluginLaunch.NONE, LATER);
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.contains("site-config " + site), lines.toString());
        assertTrue(lines.contains(LaunchPlanCache.fileState(site).line()), lines.toString());
        assertTrue(lines.contains(LaunchPlanCache.fileState(home.resolve("etc/stasis.conf")).line()), lines.toString());
    }

    @Test
    void noPlanWhenABundleWantsEveryLaunch() throws Exception {
        Map<String, String> headers = new java.util.LinkedHashMap<>(TestBundles.plugin("gamma", "1.0", true));
        headers.put(LaunchPlanCache.LAUNCH_HOOK_HEADER, "every-launch");
        TestBundles.jar(home.resolve("bundles/gamma.jar"), headers);
        LaunchPlanCache.NotCacheable e = assertThrows(LaunchPlanCache.NotCacheable.class,
                () -> write(parsed("dmtcp_launch", "prog"), Env.of(), List.of(), PluginLaunch.NONE, LATER));
        assertTrue(e.getMessage().contains("gamma.jar") && e.getMessage().contains("every launch"), e.getMessage());
        assertFalse(Files.exists(cache), "nothing written");

        headers.put(LaunchPlanCache.LAUNCH_HOOK_HEADER, "sometimes");
        TestBundles.jar(home.resolve("bundles/gamma.jar"), headers);
        e = assertThrows(LaunchPlanCache.NotCacheable.class,
                () -> write(parsed("dmtcp_launch", "prog"), Env.of(), List.of(), PluginLaunch.NONE, LATER));
        assertTrue(e.getMessage().contains("unknown Stasis-Launch-Hook 'sometimes'"), e.getMessage());
    }

    @Test
    void noPlanFromInputsThatChangedJustBeforeTheLaunch() throws Exception {
        TestBundles.jar(home.resolve("bundles/alpha.jar"), TestBundles.plugin("alpha", "1.0", true));
        // the launch began now, and the installation was made a moment ago
        LaunchPlanCache.NotCacheable e = assertThrows(LaunchPlanCache.NotCacheable.class,
                () -> write(parsed("dmtcp_launch", "prog"), Env.of(), List.of(), PluginLaunch.NONE, Instant.now()));
        assertTrue(e.getMessage().contains("changed less than 2 s before this launch began"), e.getMessage());
        assertFalse(Files.exists(cache), "nothing written");
    }

    @Test
    void noPlanInACacheDirectoryOthersCanWrite() throws Exception {
        Files.createDirectories(cache);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        LaunchPlanCache.NotCacheable e = assertThrows(LaunchPlanCache.NotCacheable.class,
                () -> write(parsed("dmtcp_launch", "prog"), Env.of(), List.of(), PluginLaunch.NONE, LATER));
        assertTrue(e.getMessage().contains("not ours alone"), e.getMessage());
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(0, s.count(), "no plan and no temporary file left");
        }
    }

    @Test
    void recordPassesStderrThroughAndKeepsTheWarnings() throws Exception {
        Env env = Env.of("XDG_CACHE_HOME", dir.resolve("cache").toString());
        LaunchCommand c = parsed("dmtcp_launch", "--rm", "prog");
        PluginLaunch result = new PluginLaunch(List.of(), List.of(), Map.of());
        PrintStream realErr = System.err;
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        String prog = System.getProperty("stasis.prog", "stasis");
        System.setErr(new PrintStream(seen, true, StandardCharsets.UTF_8));
        PluginLaunch returned;
        try {
            returned = LaunchPlanCache.record(c.spec, home, env, dir, options(c, env), () -> {
                System.err.println(prog + ": warning: plugin slurm is not installed");
                System.err.println("2026-01-01 [DEBUG] a log line, not a warning");
                System.err.println(prog + ": warning: second");
                return result;
            }, LATER);
        } finally {
            System.setErr(realErr);
        }
        assertSame(result, returned);
        assertEquals(prog + ": warning: plugin slurm is not installed\n2026-01-01 [DEBUG] a log line, not a warning\n"
                + prog + ": warning: second\n", seen.toString(StandardCharsets.UTF_8));
        Path file;
        try (Stream<Path> s = Files.list(cache)) {
            file = s.findFirst().orElseThrow();
        }
        String text = Files.readString(file);
        assertTrue(text.endsWith("warn plugin%20slurm%20is%20not%20installed\nwarn second\nend\n"), text);

        // -q -q: the same request, but the warnings were not printed, so the plan cannot know them
        LaunchCommand quiet = parsed("dmtcp_launch", "-q", "-q", "--rm", "prog");
        LaunchPlanCache.record(quiet.spec, home, env, dir, options(quiet, env), () -> result, LATER);
        String hidden = Files.readString(file);
        assertTrue(hidden.endsWith("warnings-hidden\nend\n"), hidden);
    }
}
