package org.stasis.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The command-line layer of the enabled set: which plugin each launch flag turns on or off.
 *
 * @param disableAll {@code --disable-all-plugins}: everything off before the other flags apply,
 *        so {@code --disable-all-plugins --ptrace} leaves only ptrace on
 * @param settings the other flags, in a fixed order
 */
public record PluginFlags(boolean disableAll, List<Setting> settings) {

    public static final PluginFlags NONE = new PluginFlags(false, List.of());

    /**
     * One flag's effect.
     *
     * @param flag the flag as the user typed it (for the {@code flag:<flag>} layer and errors)
     * @param plugin the plugin it names
     * @param enabled on or off
     */
    public record Setting(String flag, String plugin, boolean enabled) {}

    public PluginFlags {
        settings = List.copyOf(settings);
    }

    /** The plugin flags of a launch. */
    public static PluginFlags of(LaunchOptions o) {
        List<Setting> s = new ArrayList<>();
        if (o.ckptOpenFiles()) {
            s.add(new Setting("--ckpt-open-files", "files", true));
        }
        if (o.batchQueue()) {
            s.add(new Setting("--batch-queue", "slurm", true));
        }
        if (o.ptrace()) {
            s.add(new Setting("--ptrace", "ptrace", true));
        }
        if (o.modifyEnv()) {
            s.add(new Setting("--modify-env", "modify-env", true));
        }
        if (o.pathvirt()) {
            s.add(new Setting("--pathvirt", "pathvirt", true));
        }
        if (o.infiniband()) {
            s.add(new Setting("--ib", "infiniband", true));
        }
        if (o.spades()) {
            s.add(new Setting("--spades", "spades", true));
        }
        if (o.disableAllocPlugin()) {
            s.add(new Setting("--disable-alloc-plugin", "alloc", false));
        }
        if (o.disableDlPlugin()) {
            s.add(new Setting("--disable-dl-plugin", "dl", false));
        }
        for (String name : o.disabledPlugins()) {
            s.add(new Setting("--disable-" + name + "-plugin", name, false));
        }
        return new PluginFlags(o.disableAllPlugins(), s);
    }

    /** Whether any flag concerns plugins (then a launch must load them to check). */
    public boolean any() {
        return disableAll || !settings.isEmpty();
    }
}
