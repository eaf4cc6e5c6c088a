package org.stasis.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stasis plugins}: what checkpointing capabilities this installation has. */
@Command(name = "plugins",
        header = "List the installed plugins (for now: the built-in native capture).",
        description = {"List the installed plugins and whether they are enabled.",
            "For now this is the built-in native capture only (memory, threads, process state):",
            "plugin bundles (files, sockets, ptrace, Slurm, ...) come with the plugin layer in a later",
            "version, and launch options that need them are refused until then."},
        sortOptions = false, versionProvider = VersionProvider.class)
public class PluginsCommand implements Callable<Integer> {

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Override
    public Integer call() {
        Path home = Installation.homeOrNull();
        String status = "built-in, enabled";
        if (home != null) {
            Path lib = home.resolve("lib");
            if (!Files.isRegularFile(lib.resolve("libstasis.so")) || !Files.isRegularFile(lib.resolve("stasis-restore"))) {
                status = "MISSING (libstasis.so or stasis-restore not in " + lib + ")";
            }
        }
        System.out.printf("%-14s %-16s %s%n", "NAME", "VERSION", "STATUS");
        System.out.printf("%-14s %-16s %s%n", PluginCatalog.BUILTIN, VersionProvider.version(), status);
        System.out.println("  memory, threads and process state (agent libstasis.so, restorer stasis-restore)");
        if (home != null) {
            List<String> bundles = PluginCatalog.installedBundles(Installation.bundles(home));
            System.out.println();
            if (bundles.isEmpty()) {
                System.out.println("No plugin bundles in " + Installation.bundles(home)
                        + " (the plugin layer comes in a later version).");
            } else {
                System.out.println("Bundles found in " + Installation.bundles(home)
                        + " (not loaded: this version has no plugin layer yet):");
                for (String b : bundles) {
                    System.out.println("  " + b);
                }
            }
        }
        return 0;
    }
}
