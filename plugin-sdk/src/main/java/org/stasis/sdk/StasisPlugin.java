package org.stasis.sdk;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Java half of a Stasis plugin: the OSGi service a plugin bundle registers (under this
 * interface's name) so that the front ends and the coordinator can call it.
 *
 * <p>A plugin bundle also declares, in its manifest:
 * <ul>
 *   <li>{@code Stasis-Plugin-Name}: the name users type ({@code --disable-<name>-plugin},
 *       {@code STASIS_PLUGIN_<NAME>}, {@code plugin.<name> = off}); lower case letters, digits and
 *       dashes;</li>
 *   <li>{@code Stasis-Sdk-Version}: the SDK version it was built against, e.g. {@code 1.0}
 *       (see {@link SdkVersion} for what is accepted);</li>
 *   <li>{@code Stasis-Default-Enabled}: {@code true} or {@code false} (default {@code false}),
 *       whether the plugin is on when no configuration, environment variable or flag says
 *       otherwise;</li>
 *   <li>{@code Stasis-Launch-Hook}: {@code every-launch} when {@link #onLaunch} must run at every
 *       launch (see there); leave it out otherwise.</li>
 * </ul>
 *
 * <p>Every hook has a no-op default, so that a plugin implements only what it needs and a later
 * 1.x SDK can add hooks without breaking plugins built against an earlier 1.x. Hooks are called
 * only for enabled plugins, from one thread at a time, in plugin order for the checkpoint
 * direction (see {@link Events}). A hook that throws fails the operation it belongs to (the
 * launch, the restart) with the plugin's name and the exception's message; it must not call
 * {@code System.exit}.
 *
 * <p>Implementations must be thread-safe to the extent that they keep state across hooks: the
 * coordinator may call {@link #onCheckpointComplete} for one computation while a front end in
 * another JVM runs {@link #onLaunch} for a different one.
 */
public interface StasisPlugin {

    /** Who this plugin is; must agree with the bundle's {@code Stasis-Plugin-Name} header. */
    PluginInfo info();

    /**
     * Called in the front end ({@code dmtcp_launch} / {@code stasis launch}) after options are
     * resolved and before the program is executed. It validates and prepares (creates
     * directories, checks the site) and throws to refuse the launch; it cannot change the
     * program or its arguments, which the user owns.
     *
     * <p><b>When it runs.</b> The outcome of plugin resolution is cached as a <i>launch plan</i>:
     * while the plan's inputs are unchanged, later launches reuse it without starting a JVM, and
     * this hook does not run for them. The inputs are the installed and {@code --with-plugin}
     * bundles (their files), the site configuration files, the plugin variables
     * ({@code STASIS_PLUGIN_*}, {@code DMTCP_*_PLUGIN}, {@code DMTCP_PLUGIN},
     * {@code STASIS_CONFIG}) and the plugin options given. So this hook runs when a plan is
     * computed, and what it does and prints must depend only on those inputs: not on the
     * program, its arguments, the checkpoint directory, other variables, or the time. Of what
     * it prints to stderr only lines {@code "<command>: warning: ..."} are replayed by later
     * launches. A plugin that must see every launch (to check the checkpoint directory, or to
     * read a batch job's variables, say) declares {@code Stasis-Launch-Hook: every-launch} in
     * its manifest; then no plan is cached while its bundle is installed or given, and every
     * launch runs this hook.
     *
     * @param context what is being launched, and the values given to this plugin's options
     */
    default void onLaunch(LaunchContext context) {}

    /**
     * Called in the front end ({@code dmtcp_restart} / {@code stasis restart}) after the images
     * are checked and before any process is restored.
     *
     * @param context the images being restarted, and the values given to this plugin's options
     */
    default void onRestart(RestartContext context) {}

    /**
     * Called in the coordinator once every process of a computation has written its image for
     * a generation and the images are durable (after {@link Events#PRECHECKPOINT} has completed
     * everywhere, before {@link Events#RESUME} is released).
     *
     * @param context the generation just written
     */
    default void onCheckpointComplete(GenerationContext context) {}

    /**
     * Options this plugin adds to launch and restart. They appear in those commands'
     * {@code --help} under the plugin's name and are passed back in {@link LaunchContext#options()}
     * and {@link RestartContext#options()}. Names must start with {@code --<plugin-name>-} so that
     * two plugins cannot collide.
     *
     * @return the options, in the order {@code --help} shows them; never null
     */
    default List<PluginOption> options() {
        return List.of();
    }

    /**
     * Environment variables the generated restart script exports before it runs
     * {@code dmtcp_restart}, e.g. a path the plugin needs again at restart. Keys must be valid
     * shell variable names; values are quoted by the script writer.
     *
     * @return variable names and values; never null
     */
    default Map<String, String> restartScriptEnvironment() {
        return Map.of();
    }

    /**
     * Key-value namespaces this plugin owns in the coordinator's store (used by its native half
     * through the agent's C API for publish/subscribe at restart). Two enabled plugins claiming
     * the same namespace is an error at launch.
     *
     * @return namespace names; never null
     */
    default Set<String> kvNamespaces() {
        return Set.of();
    }
}
