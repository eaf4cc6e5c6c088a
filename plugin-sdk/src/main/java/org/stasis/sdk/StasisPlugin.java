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
 *   <li>{@code Stasis-Java-Hooks}: which hooks of this interface the Java half implements, a
 *       comma-separated subset of {@code options} ({@link #options()}), {@code launch},
 *       {@code restart}, {@code checkpoint-complete} and {@code restart-script}, or {@code none}.
 *       A front end starts the OSGi framework (about a quarter of a second) only when a plugin it
 *       loads declares a hook it calls; left out, the plugin is taken to implement them all.
 *       Declare every hook you implement: one left out may not be called.</li>
 * </ul>
 *
 * <p>Where each method is called:
 * <table>
 *   <caption>hooks by process</caption>
 *   <tr><th>method</th><th>process</th><th>when</th></tr>
 *   <tr><td>{@link #options()}</td><td>launch, restart</td><td>before the command line is parsed,
 *       for every plugin enabled by the layers known then (the plugin flags are read ahead);
 *       disabled plugins are never started</td></tr>
 *   <tr><td>{@link #onLaunch}</td><td>launch</td><td>options resolved, program not yet started</td></tr>
 *   <tr><td>{@link #restartScriptEnvironment()}</td><td>launch</td><td>after every enabled plugin's
 *       {@link #onLaunch} succeeded</td></tr>
 *   <tr><td>{@link #onRestart}</td><td>restart</td><td>images checked, nothing restored yet</td></tr>
 *   <tr><td>{@link #onCheckpointComplete}</td><td>coordinator</td><td>a generation is committed</td></tr>
 * </table>
 *
 * <p>Every hook has a no-op default, so that a plugin implements only what it needs and a later
 * 1.x SDK can add hooks without breaking plugins built against an earlier 1.x. Hooks are called
 * only for enabled plugins, from one thread at a time, in plugin order
 * (the installation's {@code bundles/} by file name, then {@code --with-plugin} entries in the
 * order given). A launch or restart hook that throws fails that command: the user sees one line
 * with the plugin's name and the exception's message, never a stack trace, so the message should
 * say what is wrong and what to do. A hook must not call {@code System.exit}.
 *
 * <p>The front ends are short-lived JVMs that replace themselves with the program (or the
 * restorer) once the hooks have returned: a plugin cannot leave threads or open resources behind
 * for the program, and keeps nothing in memory from launch to restart. What a launch wants to find
 * again at restart goes into {@link #restartScriptEnvironment()}, into files, or into its native
 * half's image section.
 *
 * <p>Implementations must be thread-safe to the extent that they keep state across hooks: the
 * coordinator may call {@link #onCheckpointComplete} for one computation while a front end in
 * another JVM runs {@link #onLaunch} for a different one.
 */
public interface StasisPlugin {

    /**
     * Who this plugin is. Called in every process that loads the plugin, so it must be cheap.
     *
     * @return the plugin's name (which must agree with the bundle's {@code Stasis-Plugin-Name}
     *         header), version and description
     */
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
     * @param context what is being launched, and the values of this plugin's options
     */
    default void onLaunch(LaunchContext context) {}

    /**
     * Called in the front end ({@code dmtcp_restart} / {@code stasis restart}) after the images
     * are checked and before any process is restored or a coordinator contacted. Throwing refuses
     * the restart, as {@link #onLaunch} does for a launch.
     *
     * <p>The restart decides which plugins are enabled from the installation's {@code bundles/},
     * the site configuration and the environment, as a launch does, plus the bundles given to
     * the launch with {@code --with-plugin} (the restart script hands them on in
     * {@code STASIS_PLUGIN_BUNDLES}); launch-only flags such as {@code --disable-<name>-plugin}
     * do not exist at restart. Plugins are called in plugin order.
     *
     * @param context the images being restarted, and the values of this plugin's options as given
     *        to the restart (launch options are not remembered: the restart has its own)
     */
    default void onRestart(RestartContext context) {}

    /**
     * Called in the coordinator once a checkpoint generation is committed: every process has
     * written its image, the images are durable and renamed to their final names (the protocol's
     * {@code COMMIT} has completed everywhere), and the restart script is written. The processes
     * have long been running again, so this hook may take its time (copy or stage the images,
     * tell a scheduler); it runs on a thread of its own, never holding up the next checkpoint's
     * barriers. Generations of one coordinator are handed over one at a time, in order.
     *
     * <p>Only plugins whose bundle the launch was given with {@code --with-plugin} (or
     * {@code DMTCP_PLUGIN}) are called here: the processes announce those bundles to the
     * coordinator, which loads them into a plugin host of its own. A hook that throws does not
     * affect the generation, which is complete; the failure is logged by the coordinator and
     * shown by {@code dmtcp_command --status} ({@code hook_error}).
     *
     * @param context the generation just committed
     */
    default void onCheckpointComplete(GenerationContext context) {}

    /**
     * Options this plugin adds to launch and restart. Each name must start with
     * {@code --<plugin-name>-} (e.g. {@code --counter-start} for plugin {@code counter}), so that
     * two plugins cannot collide. A plugin that breaks this rule, declares a name twice or reuses
     * an option of the command or of an earlier plugin is reported by name: its options are left
     * out of {@code --help}, and a launch or restart with the plugin enabled fails.
     *
     * <p>They appear in the commands' {@code --help} under the heading
     * {@code Options of plugin <name>:}, in the order returned. Like every launch option they
     * must come before the program's name. Giving an option of a plugin that is not enabled is an
     * error that names the plugin and what disabled it.
     *
     * <p>The values of an enabled plugin's options reach:
     * <ul>
     *   <li>its Java half, in {@link LaunchContext#options()} and {@link RestartContext#options()};</li>
     *   <li>its native half, as environment variables of the launched program named
     *       {@code STASIS_OPT_<PLUGIN>_<OPTION>}: {@code <PLUGIN>} is the plugin name and
     *       {@code <OPTION>} the option name without its leading {@code --<plugin-name>-}, both
     *       upper-cased with dashes turned into underscores. Plugin {@code counter}'s
     *       {@code --counter-start} becomes {@code STASIS_OPT_COUNTER_START}, plugin
     *       {@code my-fs}'s {@code --my-fs-cache-dir} becomes {@code STASIS_OPT_MY_FS_CACHE_DIR}.</li>
     * </ul>
     * In both, an option that was given has its value ({@code "true"} for an option without a
     * value), one that was not given has its {@link PluginOption#defaultValue()}, and one with
     * neither is absent.
     *
     * <p>Called for every installed plugin, enabled or not, each time a launch or restart starts
     * and for {@code --help}: it must be cheap and must not depend on other hooks having run.
     *
     * @return the options, in the order {@code --help} shows them; never null
     */
    default List<PluginOption> options() {
        return List.of();
    }

    /**
     * Environment variables the generated restart script ({@code dmtcp_restart_script.sh})
     * exports before it runs {@code dmtcp_restart}, e.g. a path the plugin needs again at
     * restart, so that {@link #onRestart} finds it in the environment.
     *
     * <p>Called at launch, after {@link #onLaunch} of every enabled plugin. Names must be shell
     * variable names ({@code [A-Za-z_][A-Za-z0-9_]*}) other than the script's own
     * ({@code STASIS_PLUGIN_BUNDLES}, {@code STASIS_SCRIPT_ENV} and the lower-case
     * {@code coord_host}, {@code coord_port}, {@code options}, {@code images}); values may be any
     * text without NUL characters, and the script writer quotes them. Two plugins giving the same
     * variable different values, or a bad name, refuses the launch naming the plugin. All
     * plugins' variables together must stay below 16 KiB once encoded (they travel in the
     * processes' greeting to the coordinator).
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
