package org.stasis.cli;

import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a command line says about plugin bundles, read before picocli parses it: the plugins'
 * options must be part of the model before parsing, and only the loaded plugins know them.
 * Pure.
 */
final class PluginArgs {

    static final String WITH_PLUGIN = "--with-plugin";

    private PluginArgs() {}

    /**
     * The value of the last {@code --with-plugin X} / {@code --with-plugin=X}, or null. Reading
     * stops at {@code --}, and with {@code stopAtPositional} at the first argument that is not an
     * option or an option's value (the launched program: what follows is its own). Options the
     * command's model lacks (those of plugins not loaded yet) are taken to have no value, so a
     * {@code --with-plugin} must come before the options of the plugins it loads.
     */
    static String withPlugin(List<String> args, CommandSpec spec, boolean stopAtPositional) {
        String found = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                break;
            }
            if (a.equals(WITH_PLUGIN)) {
                if (i + 1 < args.size()) {
                    found = args.get(++i);
                }
                continue;
            }
            if (a.startsWith(WITH_PLUGIN + "=")) {
                found = a.substring(WITH_PLUGIN.length() + 1);
                continue;
            }
            if (a.startsWith("-") && a.length() > 1) {
                OptionSpec o = a.contains("=") ? null : spec.findOption(a);
                if (o != null && o.arity().min() > 0) {
                    i++; // its value, which may look like anything
                }
                continue;
            }
            if (stopAtPositional) {
                break;
            }
        }
        return found;
    }

    /**
     * The options (with their values) that {@code args} give before the program, limited to
     * those {@code spec} knows and {@code --disable-<name>-plugin}: what decides the plugin flags
     * before the plugins' own options are part of the model. Read as {@link #withPlugin} reads.
     */
    static List<String> knownOptions(List<String> args, CommandSpec spec) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--") || !a.startsWith("-") || a.length() == 1) {
                break;
            }
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            OptionSpec o = spec.findOption(name);
            if (o != null) {
                out.add(a);
                if (!a.contains("=") && o.arity().min() > 0 && i + 1 < args.size()) {
                    out.add(args.get(++i));
                }
            } else if (a.matches("--disable-[a-z][a-z0-9-]*-plugin")) {
                out.add(a);
            }
        }
        return out;
    }

    /** The entries of a colon-separated list, trimmed, without empty ones. */
    static List<String> entries(String list) {
        if (list == null) {
            return List.of();
        }
        return Arrays.stream(list.split(":")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
