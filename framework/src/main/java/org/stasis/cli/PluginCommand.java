package org.stasis.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A front end whose command line includes the options of the plugins it loads (launch,
 * restart). {@link Cli} loads the plugins before parsing: it asks the command which bundles its
 * arguments name, and lets {@link CommandPlugins} add their options to the model.
 */
interface PluginCommand {

    /** The command's plugins, loaded or not yet. */
    CommandPlugins loadedPlugins();

    /**
     * The {@code --with-plugin} entries (and the like) that {@code args}, this command's own
     * arguments, ask for, read before they are parsed.
     */
    List<String> withPluginsBeforeParsing(List<String> args, CommandSpec spec, Env env);

    /**
     * The plugin flags that {@code args} give, read before they are parsed, so that only the
     * plugins they leave enabled are started; none by default.
     */
    default PluginFlags flagsBeforeParsing(List<String> args, CommandSpec spec, Env env) {
        return PluginFlags.NONE;
    }
}
