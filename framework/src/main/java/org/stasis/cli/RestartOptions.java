package org.stasis.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything dmtcp_restart was asked, resolved.
 *
 * @param coordinator which coordinator to use (its ckptDir: --ckptdir, else the image's directory)
 * @param images absolute image paths
 * @param strictChecking refuse another user's image
 * @param ckptDir --ckptdir / DMTCP_CHECKPOINT_DIR, or null to keep the image's
 * @param restartPause --debug-restart-pause / DMTCP_RESTART_PAUSE, 0 when off
 * @param withPlugins --with-plugin entries, then STASIS_PLUGIN_BUNDLES entries, in order
 * @param pluginOptions the options of plugins that were given
 */
public record RestartOptions(
        CoordinatorRequest coordinator,
        List<Path> images,
        boolean strictChecking,
        Path ckptDir,
        Path tmpDir,
        int quiet,
        Path coordLogfile,
        int restartPause,
        List<String> withPlugins,
        PluginOptionValues pluginOptions) {

    public RestartOptions {
        images = List.copyOf(images);
        withPlugins = List.copyOf(withPlugins);
        pluginOptions = pluginOptions == null ? PluginOptionValues.NONE : pluginOptions;
    }
}
