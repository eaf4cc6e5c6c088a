package org.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgramEnvironmentTest {

    static final Path AGENT = Path.of("/opt/stasis/lib/libstasis.so");
    static final CoordinatorSession SESSION = new CoordinatorSession("node1", "127.0.0.1", 7779, "abc", true);

    @Test
    void launchEnvironment() {
        LaunchOptions o = LaunchOptionsTest.parse(Env.of(), "--no-gzip", "--ckptdir", "/ck", "-q", "--tmpdir", "/t", "p");
        Map<String, String> base = Map.of("HOME", "/home/u", "LD_PRELOAD", "/usr/lib/libfoo.so",
                "STASIS_INHERITED_FDS", "3,4", "DMTCP_COORD_PORT", "1", "STASIS_MANAGED_PID", "0000004242",
                "STASIS_PID_MAP", "4242:4242,4243:5001", "STASIS_LAUNCH_STDIO", "1:2,1:2,1:2");
        Map<String, String> env = ProgramEnvironment.forLaunch(base, o, SESSION, AGENT, PluginLaunch.NONE);
        assertEquals("/opt/stasis/lib/libstasis.so:/usr/lib/libfoo.so", env.get("LD_PRELOAD"));
        assertEquals("127.0.0.1", env.get("STASIS_COORD_HOST"));
        assertEquals("7779", env.get("STASIS_COORD_PORT"));
        assertEquals("abc", env.get("STASIS_COORD_SECRET"));
        assertEquals("/ck", env.get("STASIS_CKPT_DIR"));
        assertEquals("0", env.get("STASIS_GZIP"));
        assertEquals("12", env.get("STASIS_CKPT_SIGNAL"));
        assertEquals("1", env.get("STASIS_QUIET"));
        assertEquals("/t", env.get("STASIS_TMPDIR"));
        assertEquals("node1", env.get("DMTCP_COORD_HOST"));
        assertEquals("7779", env.get("DMTCP_COORD_PORT"));
        assertEquals("/home/u", env.get("HOME"));
        assertFalse(env.containsKey("STASIS_INHERITED_FDS"));
        assertFalse(env.containsKey("STASIS_MANAGED_PID"), "a launch from inside a managed program starts afresh");
        assertFalse(env.containsKey("STASIS_PID_MAP"), "nor does it inherit that program's pid table");
        assertFalse(env.containsKey("STASIS_LAUNCH_STDIO"), "nor that program's standard descriptors");
    }

    @Test
    void pluginVariablesAreTheLaunchsOwn() {
        LaunchOptions o = LaunchOptionsTest.parse(Env.of(), "p");
        Map<String, String> base = Map.of("STASIS_OPT_OUTER_X", "1", "STASIS_PLUGIN_BUNDLES", "/outer.jar",
                "STASIS_SCRIPT_ENV", "A=1", "STASIS_OPTIONAL", "kept");
        Map<String, String> env = ProgramEnvironment.forLaunch(base, o, SESSION, AGENT,
                new PluginLaunch(List.of(), List.of(), Map.of("STASIS_OPT_COUNTER_START", "5")));
        assertEquals("5", env.get("STASIS_OPT_COUNTER_START"));
        assertEquals("kept", env.get("STASIS_OPTIONAL"));
        assertFalse(env.containsKey("STASIS_OPT_OUTER_X"), "an outer launch's option");
        assertFalse(env.containsKey("STASIS_PLUGIN_BUNDLES"));
        assertFalse(env.containsKey("STASIS_SCRIPT_ENV"));
    }

    @Test
    void preloadIsPrependedOnce() {
        assertEquals("/a/libstasis.so", ProgramEnvironment.preload(List.of("/a/libstasis.so"), null));
        assertEquals("/a/libstasis.so", ProgramEnvironment.preload(List.of("/a/libstasis.so"), ""));
        assertEquals("/a/libstasis.so:x.so:y.so", ProgramEnvironment.preload(List.of("/a/libstasis.so"), "x.so y.so"));
        assertEquals("/a/libstasis.so:x.so", ProgramEnvironment.preload(List.of("/a/libstasis.so"), "/old/libstasis.so:x.so:"));
    }

    @Test
    void restartEnvironment() {
        RestartOptions o = RestartOptionsTest.parse(Env.of(), "ckpt_a.dmtcp");
        Map<String, String> env = ProgramEnvironment.forRestart(Map.of("PATH", "/bin", "STASIS_MANAGED_PID",
                "0000004242", "STASIS_PID_MAP", "4242:4242"), o, SESSION, List.of("files"));
        assertEquals("127.0.0.1", env.get("STASIS_COORD_HOST"));
        assertEquals("7779", env.get("STASIS_COORD_PORT"));
        assertEquals("abc", env.get("STASIS_COORD_SECRET"));
        assertEquals("0", env.get("STASIS_QUIET"));
        assertEquals("/bin", env.get("PATH"));
        assertFalse(env.containsKey("STASIS_CKPT_DIR"));
        assertFalse(env.containsKey("LD_PRELOAD"));
        assertFalse(env.containsKey("STASIS_MANAGED_PID"), "left by the agent of a program that runs dmtcp_restart");
        assertFalse(env.containsKey("STASIS_PID_MAP"));
        assertEquals("files", env.get("STASIS_DISABLED_PLUGINS"), "plugins of the image this restart turns off");
        RestartOptions o2 = RestartOptionsTest.parse(Env.of(), "--ckptdir", "/new", "ckpt_a.dmtcp");
        assertEquals("/new", ProgramEnvironment.forRestart(Map.of(), o2, SESSION, List.of()).get("STASIS_CKPT_DIR"));
    }
}
