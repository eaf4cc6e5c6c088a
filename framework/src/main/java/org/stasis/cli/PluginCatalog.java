package org.stasis.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What plugins an installation has. The plugin layer (bundles loaded into the framework) comes
 * later; until then the native capture is the only built-in part and any requested plugin is
 * refused clearly instead of being silently ignored.
 */
public final class PluginCatalog {

    /** The built-in capture of memory, threads and process state. */
    public static final String BUILTIN = "native-mtcp";

    private PluginCatalog() {}

    /** Bundles present in {@code bundles/}: jar files and folders, by file name. */
    public static List<String> installedBundles(Path bundles) {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(bundles)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(bundles)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(".jar") || Files.isDirectory(p)) {
                    names.add(n);
                }
            }
        } catch (IOException e) {
            // an unreadable bundles/ holds no usable plugin
        }
        names.sort(null);
        return names;
    }

    /** Whether a plugin of that name (or at that path) exists in the installation. */
    public static boolean isInstalled(Path bundles, String name) {
        if (name.indexOf('/') >= 0) {
            return Files.exists(Path.of(name));
        }
        for (String b : installedBundles(bundles)) {
            String base = b.endsWith(".jar") ? b.substring(0, b.length() - 4) : b;
            if (base.equals(name) || base.startsWith(name + "-") || base.equals("stasis-" + name)
                    || base.startsWith("stasis-" + name + "-") || base.equals("stasis-plugin-" + name)
                    || base.startsWith("stasis-plugin-" + name + "-")) {
                return true;
            }
        }
        return false;
    }

    /** Refuses the first requested plugin: missing ones as not installed, present ones as not loadable yet. */
    public static void requireAvailable(List<PluginRequest> requests, Path bundles) {
        for (PluginRequest r : requests) {
            if (!isInstalled(bundles, r.name())) {
                throw new CliException("plugin " + r.name() + " is not installed (requested by " + r.reason() + ")");
            }
            throw new CliException("plugin " + r.name() + " is installed, but this version of Stasis cannot load"
                    + " plugins yet (requested by " + r.reason() + ")");
        }
    }
}
