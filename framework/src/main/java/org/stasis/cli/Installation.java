package org.stasis.cli;

import java.nio.file.Path;
import org.stasis.mtcp.InstallationException;
import org.stasis.mtcp.Natives;

/** Paths inside a Stasis installation ({@code -Dstasis.home}, set by the bin/ scripts). */
public final class Installation {

    private Installation() {}

    public static Path home() {
        try {
            return Natives.installationHome();
        } catch (InstallationException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** The installation, or null when run outside one (then the coordinator uses PATH). */
    public static Path homeOrNull() {
        try {
            return Natives.installationHome();
        } catch (InstallationException e) {
            return null;
        }
    }

    public static Natives natives(Path home) {
        try {
            return Natives.locate(home);
        } catch (InstallationException e) {
            throw new CliException(e.getMessage());
        }
    }

    public static Path bin(Path home, String command) {
        return home.resolve("bin").resolve(command);
    }

    public static Path bundles(Path home) {
        return home.resolve("bundles");
    }

    public static Path examples(Path home) {
        return home.resolve("share").resolve("stasis").resolve("examples");
    }
}
