package org.stasis.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything dmtcp_launch was asked, resolved from options, environment and defaults. The plugin
 * options are recorded here; {@link PluginFlags#of} turns them into the enabled set's flag layer.
 *
 * @param coordinator which coordinator to use
 * @param gzip compress images (STASIS_GZIP)
 * @param ckptDir absolute checkpoint directory
 * @param saveWrittenFiles --save-written-files, or null when not given (the variable, if any, then applies)
 * @param ckptSignal signal the agent uses internally (default 12, SIGUSR2)
 * @param withPlugins --with-plugin / DMTCP_PLUGIN entries, in order
 * @param disableAllocPlugin --disable-alloc-plugin or DMTCP_ALLOC_PLUGIN=0
 * @param disableDlPlugin --disable-dl-plugin or DMTCP_DL_PLUGIN=0
 * @param disabledPlugins names from other --disable-&lt;name&gt;-plugin options, in order
 * @param quiet 0, 1 or 2
 * @param coordLogfile log file for a coordinator we start, or null
 * @param program the program as typed
 * @param args its arguments
 * @param pluginOptions the options of plugins that were given
 */
public record LaunchOptions(
        CoordinatorRequest coordinator,
        boolean gzip,
        Path ckptDir,
        boolean ckptOpenFiles,
        boolean allowFileOverwrite,
        WrittenFilesLimits saveWrittenFiles,
        int ckptSignal,
        List<String> withPlugins,
        boolean batchQueue,
        boolean ptrace,
        boolean modifyEnv,
        boolean pathvirt,
        boolean infiniband,
        boolean spades,
        boolean disableAllocPlugin,
        boolean disableDlPlugin,
        boolean disableAllPlugins,
        List<String> disabledPlugins,
        Path tmpDir,
        int quiet,
        Path coordLogfile,
        String program,
        List<String> args,
        PluginOptionValues pluginOptions) {

    public LaunchOptions {
        withPlugins = List.copyOf(withPlugins);
        disabledPlugins = List.copyOf(disabledPlugins);
        args = List.copyOf(args);
        pluginOptions = pluginOptions == null ? PluginOptionValues.NONE : pluginOptions;
    }
}
