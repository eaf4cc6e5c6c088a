package org.stasis.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stasis.barrier.ScriptEnvironment;
import org.stasis.mtcp.Exec;

/** The environment a launched program or the restorer starts with. Pure functions. */
public final class ProgramEnvironment {

    public static final String LD_PRELOAD = "LD_PRELOAD";
    public static final String COORD_HOST = "STASIS_COORD_HOST";
    public static final String COORD_PORT = "STASIS_COORD_PORT";
    public static final String COORD_SECRET = "STASIS_COORD_SECRET";
    public static final String CKPT_DIR = "STASIS_CKPT_DIR";
    public static final String GZIP = "STASIS_GZIP";
    /** --ckpt-open-files and --allow-file-overwrite, for the files plugin's native half. */
    public static final String CKPT_OPEN_FILES = "STASIS_CKPT_OPEN_FILES";
    public static final String ALLOW_FILE_OVERWRITE = "STASIS_ALLOW_FILE_OVERWRITE";
    public static final String CKPT_SIGNAL = "STASIS_CKPT_SIGNAL";
    public static final String QUIET = "STASIS_QUIET";
    public static final String TMPDIR = "STASIS_TMPDIR";
    public static final String RESTART_PAUSE = "STASIS_RESTART_PAUSE";
    /**
     * Legacy: older agents marked the one pid they managed here. Agents that follow fork and
     * exec no longer read it, but an environment inherited from a program run under an older
     * agent may still carry it, and an older agent reading it would think the new program was
     * already claimed; so it is still removed.
     */
    public static final String MANAGED_PID = "STASIS_MANAGED_PID";
    /**
     * The agent's exec wrapper hands the new program image its virtual pid table here. It
     * belongs to the process that exec'd: a launch or restart run from inside a managed program
     * is a computation of its own and must not start with that process's table.
     */
    public static final String PID_MAP = "STASIS_PID_MAP";
    /**
     * Which open files the launch's standard descriptors are (the agent's stdio.c). The first
     * process of a launch notes its own; one inherited from a managed program that runs
     * dmtcp_launch itself would name that program's descriptors, not the new launch's.
     */
    public static final String LAUNCH_STDIO = "STASIS_LAUNCH_STDIO";
    /** Names of the native plugin halves in plugin order; the agent orders their hooks by it. */
    public static final String NATIVE_PLUGINS = "STASIS_NATIVE_PLUGINS";
    /** Every enabled plugin, in plugin order: the agent records it in images and announces it in HELLO. */
    public static final String ENABLED_PLUGINS = "STASIS_ENABLED_PLUGINS";

    private ProgramEnvironment() {}

    /**
     * What {@code dmtcp_launch} hands the program: {@code base} plus the agent, the plugins'
     * native halves and the settings of both.
     */
    public static Map<String, String> forLaunch(Map<String, String> base, LaunchOptions o, CoordinatorSession c,
            Path agent, PluginLaunch plugins) {
        Map<String, String> env = common(base, c, o.quiet());
        // An outer launch's plugin variables must not leak into this one's.
        env.keySet().removeIf(ProgramEnvironment::isPluginVariable);
        env.putAll(plugins.env());
        List<String> first = new ArrayList<>();
        first.add(agent.toString());
        plugins.preloads().forEach(p -> first.add(p.toString()));
        env.put(LD_PRELOAD, preload(first, base.get(LD_PRELOAD)));
        if (plugins.nativeNames().isEmpty()) {
            env.remove(NATIVE_PLUGINS);
        } else {
            env.put(NATIVE_PLUGINS, String.join(":", plugins.nativeNames()));
        }
        env.put(CKPT_DIR, o.ckptDir().toString());
        env.put(GZIP, o.gzip() ? "1" : "0");
        env.remove(CKPT_OPEN_FILES);
        env.remove(ALLOW_FILE_OVERWRITE);
        if (o.ckptOpenFiles()) {
            env.put(CKPT_OPEN_FILES, "1");
        }
        if (o.allowFileOverwrite()) {
            env.put(ALLOW_FILE_OVERWRITE, "1");
        }
        if (o.saveWrittenFiles() != null) {
            env.put(WrittenFilesLimits.ENV, o.saveWrittenFiles().envValue());
        }
        env.put(CKPT_SIGNAL, Integer.toString(o.ckptSignal()));
        env.put(TMPDIR, o.tmpDir().toString());
        return env;
    }

    /**
     * What {@code dmtcp_restart} hands the restorer, including the plugins of the image that this
     * restart's configuration disables.
     */
    public static Map<String, String> forRestart(Map<String, String> base, RestartOptions o, CoordinatorSession c,
            List<String> disabledPlugins) {
        Map<String, String> env = common(base, c, o.quiet());
        if (disabledPlugins.isEmpty()) {
            env.remove(RestartDisabled.ENV);
        } else {
            env.put(RestartDisabled.ENV, String.join(":", disabledPlugins));
        }
        if (o.ckptDir() != null) {
            env.put(CKPT_DIR, o.ckptDir().toString());
        }
        env.put(TMPDIR, o.tmpDir().toString());
        if (o.restartPause() > 0) {
            env.put(RESTART_PAUSE, Integer.toString(o.restartPause()));
        }
        return env;
    }

    /** Variables a launch sets for its plugins (see PluginHooks#launch). */
    static boolean isPluginVariable(String name) {
        return name.startsWith(OptionVariables.PREFIX) || name.equals(ScriptEnvironment.BUNDLES_VARIABLE)
                || name.equals(ScriptEnvironment.SCRIPT_ENV_VARIABLE);
    }

    private static Map<String, String> common(Map<String, String> base, CoordinatorSession c, int quiet) {
        Map<String, String> env = new LinkedHashMap<>(base);
        // Set by our own bin/ script for the JVM; meaningless to the program.
        env.remove(Exec.INHERITED_FDS_ENV);
        // Inherited from a managed program that runs dmtcp_launch or dmtcp_restart itself: what
        // the agent left there describes that program's process, not the one started now.
        env.remove(MANAGED_PID);
        env.remove(PID_MAP);
        env.remove(LAUNCH_STDIO);
        env.put(COORD_HOST, c.numericHost());
        env.put(COORD_PORT, Integer.toString(c.port()));
        env.put(COORD_SECRET, c.secret());
        env.put(QUIET, Integer.toString(quiet));
        // For tools the program runs itself (dmtcp_command, nested launches).
        env.put("DMTCP_COORD_HOST", c.host());
        env.put("DMTCP_COORD_PORT", Integer.toString(c.port()));
        return env;
    }

    /**
     * {@code first} (the agent, then native plugin halves), then the existing entries minus any
     * other copy of the agent or of those.
     */
    static String preload(List<String> first, String existing) {
        List<String> parts = new ArrayList<>(first);
        if (existing != null) {
            for (String p : existing.split("[: ]+")) {
                if (!p.isEmpty() && !first.contains(p) && !p.endsWith("/libstasis.so") && !p.equals("libstasis.so")) {
                    parts.add(p);
                }
            }
        }
        return String.join(":", parts);
    }
}
