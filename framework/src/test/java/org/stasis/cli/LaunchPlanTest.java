package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plan format as the Java side writes it. The C reader's test (test_fl_plan.c) builds the
 * same request from the same inputs and expects the same text and file name: these two tests are
 * the contract between the front ends.
 */
class LaunchPlanTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void encodingKeepsPrintableAsciiAndEscapesEverythingElse() {
        assertEquals("plain/path-1.jar", LaunchPlan.encode(b("plain/path-1.jar")));
        assertEquals("a%20b%25%0A%7F%C3%A9", LaunchPlan.encode(b("a b%\n\u007f\u00c3\u00a9")));
        assertEquals("", LaunchPlan.encode(new byte[0]));
    }

    @Test
    void fileNameIsTheFnv1aOfTheRequest() {
        assertEquals(0xcbf29ce484222325L, LaunchPlan.fnv1a64(new byte[0]));
        assertEquals(0xaf63dc4c8601ec8cL, LaunchPlan.fnv1a64(b("a")));
        assertEquals(0x85944171f73967e8L, LaunchPlan.fnv1a64(b("foobar")));
        LaunchPlan p = new LaunchPlan(List.of(LaunchPlan.HEADER, "home /opt/stasis"), List.of(), List.of());
        assertEquals("stasis-launch-plan 1\nhome /opt/stasis\n", p.requestText());
        // test_fl_plan.c expects the same name for this request
        assertEquals("launch-ad1e4ad012c89c38.plan", p.fileName());
    }

    @Test
    void requestMatchesTheCReadersCase() throws IOException {
        // The same inputs as request() in test_fl_plan.c.
        Path home = dir.resolve("stasis");
        Files.writeString(dir.resolve("local.jar"), "x");
        Files.writeString(dir.resolve("plainname"), "x");
        Map<String, byte[]> env = new LinkedHashMap<>();
        for (String e : List.of("PATH=/bin", "STASIS_PLUGIN_PTRACE=1", "DMTCP_PLUGIN=x", "DMTCP_SLURM_PLUGIN=0",
                "STASIS_CONFIG=conf//site.conf", "DMTCP_PLUGINS=no", "DMTCP_GZIP=1")) {
            env.put(e.substring(0, e.indexOf('=')), b(e));
        }
        PluginSetup.WithPlugins with = PluginSetup.WithPlugins.classify(
                List.of("named", "plainname", "local.jar", "sub/../x.so"), dir);
        Path site = dir.resolve("conf//site.conf").normalize();
        List<String> request = LaunchPlan.request(home,
                List.of("--with-plugin=a b:c", "--batch-queue", "--allow-file-overwrite"), List.of("zeta", "alpha"),
                env, with, site);
        String text = new LaunchPlan(request, List.of(), List.of()).requestText();
        assertEquals("stasis-launch-plan 1\nhome " + home + "\n"
                + "opt --allow-file-overwrite\nopt --batch-queue\nopt --with-plugin=a%20b:c\n"
                + "disable zeta\ndisable alpha\n"
                + "env DMTCP_PLUGIN=x\nenv DMTCP_SLURM_PLUGIN=0\nenv STASIS_CONFIG=conf//site.conf\n"
                + "env STASIS_PLUGIN_PTRACE=1\n"
                + "with-name named\n"
                + "with-path " + dir.resolve("plainname") + "\n"
                + "with-path " + dir.resolve("local.jar") + "\n"
                + "with-path " + dir.resolve("x.so") + "\n"
                + "site-config " + dir.resolve("conf/site.conf") + "\n", text);
    }

    @Test
    void stateLines() {
        Path p = Path.of("/opt/a b/x.jar");
        assertEquals("stat /opt/a%20b/x.jar f 12 1700000000123456789 1700000001000000000 42",
                new LaunchPlan.FileState(p, 'f', 12, 1700000000123456789L, 1700000001000000000L, 42).line());
        assertEquals("none /opt/a%20b/x.jar", LaunchPlan.absent(p));
    }

    @Test
    void resultLines() {
        PluginLaunch launch = new PluginLaunch(List.of("net", "gpu"), List.of(Path.of("/p/net.so"), Path.of("/p/gpu.so")),
                Map.of("STASIS_NET_MODE", "fast path", "A_FIRST", ""));
        LaunchPlan plan = new LaunchPlan(List.of(LaunchPlan.HEADER), List.of("none /x"),
                LaunchPlan.result(List.of(b("plugin slurm is not installed"), b("")), launch));
        assertEquals("stasis-launch-plan 1\nnone /x\n"
                + "warn plugin%20slurm%20is%20not%20installed\nwarn \n"
                + "preload net /p/net.so\npreload gpu /p/gpu.so\n"
                + "setenv A_FIRST=\nsetenv STASIS_NET_MODE=fast%20path\n"
                + "end\n", plan.text());
        assertEquals(List.of("warnings-hidden"), LaunchPlan.result(null, PluginLaunch.NONE));
    }
}
