package org.stasis.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in capture and the installation's bundle files. Kept apart from {@link PluginHost} so
 * that a launch can see there is nothing to load without loading Felix's classes.
 */
public final class PluginCatalog {

    /** The built-in capture of memory, threads and process state. */
    public static final String BUILTIN = "native-mtcp";

    private PluginCatalog() {}

    /** The jar files and folders in an installation's {@code bundles/}, sorted by name. */
    public static List<Path> installationBundles(Path bundlesDir) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(bundlesDir)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(bundlesDir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().endsWith(".jar") || Files.isDirectory(p)) {
                    found.add(p);
                }
            }
        } catch (IOException e) {
            throw new CliException("cannot list " + bundlesDir + ": " + LocalCoordinatorOps.describe(e));
        }
        found.sort(null);
        return found;
    }
}
