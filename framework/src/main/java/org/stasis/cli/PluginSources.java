package org.stasis.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a front end finds its plugins: a value so that tests can point the front ends at a
 * made-up installation and environment.
 *
 * @param home the installation, or null when run outside one (then only {@code --with-plugin}
 *        bundles exist)
 * @param env the environment
 * @param cwd the working directory, absolute
 */
public record PluginSources(Path home, Env env, Path cwd) {

    public PluginSources {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(cwd, "cwd");
    }

    public static PluginSources system() {
        return new PluginSources(Installation.homeOrNull(), Env.system(), Path.of("").toAbsolutePath());
    }

    /** Where the plugin host's throw-away cache goes: DMTCP_TMPDIR, TMPDIR or /tmp. */
    public Path tmpDir() {
        return ConnectionOptions.tmpDir(null, env, cwd);
    }
}
