package org.stasis.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Plugins an image was checkpointed with that the restart's configuration disables (a site
 * turned one off, a user set {@code STASIS_PLUGIN_<NAME>=0}). Their native halves are in the
 * image's memory; the restorer tells the agent to stop calling them, so that the configuration
 * takes effect for a restart as it does for a launch. The restart's enabled set starts from the
 * image's list ({@link EnabledSet}'s {@code image} layer), so only a site file, the environment
 * or an option can turn one of them off. Plugins the restart does not know (a --with-plugin
 * bundle not given again) are left as they were.
 */
public final class RestartDisabled {

    /** The variable the restorer reads: colon-separated plugin names. */
    public static final String ENV = "STASIS_DISABLED_PLUGINS";

    private RestartDisabled() {}

    /**
     * @param imagePlugins the plugins named in the image's header, in order
     * @param enabled the restart's enabled set
     * @return the decisions that turn an image's plugin off, in the image's order
     */
    public static List<PluginDecision> of(List<String> imagePlugins, EnabledSet enabled) {
        List<PluginDecision> off = new ArrayList<>();
        for (String name : imagePlugins) {
            PluginDecision d = enabled.decision(name);
            if (d != null && !d.enabled()) {
                off.add(d);
            }
        }
        return off;
    }

    /** The warning for one such plugin. */
    public static String warning(PluginDecision d) {
        return "plugin " + d.name() + " is disabled (by " + d.layer() + ") but the image was checkpointed with it:"
                + " its hooks will not run in the restarted process";
    }
}
