package org.stasis.osgi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.stasis.cli.Env;
import org.stasis.cli.PluginFlags;
import org.stasis.cli.PluginProblem;
import org.stasis.cli.PluginSetup;
import org.stasis.cli.PluginsJson;
import org.stasis.sdk.StasisPlugin;

/**
 * The plugins of a launch as the framework starts them: {@link PluginSetup#load} over the
 * installation with {@code start} set, as {@code stasis launch} calls it before it executes the
 * program, and what the framework's embedded Felix then holds.
 *
 * @param services the {@code PluginInfo} names of the registered {@link StasisPlugin} services,
 *        in plugin order
 * @param problems the plugin host's messages about bundles that did not load or start
 * @param report what {@code stasis plugins --json} prints for this setup
 */
record LaunchedPlugins(List<String> services, List<String> problems, PluginsReport report) {

    LaunchedPlugins {
        services = List.copyOf(services);
        problems = List.copyOf(problems);
    }

    static LaunchedPlugins load(TestInstallation installation, Path workDir, Env env, PluginFlags flags) {
        Path cache = workDir.resolve("plugin-cache");
        try (PluginSetup setup = PluginSetup.load(installation.home(), env, workDir, cache, flags, List.of(), true)) {
            List<String> services = new ArrayList<>();
            for (Map.Entry<String, StasisPlugin> e : setup.host().services().entrySet()) {
                String name = e.getValue().info().name();
                if (!name.equals(e.getKey())) {
                    throw new AssertionError("the bundle of plugin " + e.getKey() + " registered a service named "
                            + name);
                }
                services.add(name);
            }
            List<String> problems = setup.problems().stream().map(PluginProblem::message).toList();
            return new LaunchedPlugins(services, problems, PluginsReport.parse(PluginsJson.of(setup,
                    installation.home())));
        }
    }
}
