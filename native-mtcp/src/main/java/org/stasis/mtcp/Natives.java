package org.stasis.mtcp;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The native parts of an installation: the agent {@code libstasis.so} (LD_PRELOADed into every
 * target process) and the freestanding restorer {@code stasis-restore}, both in
 * {@code <stasis.home>/lib/}.
 *
 * @param home the installation directory
 * @param agent absolute path of libstasis.so
 * @param restorer absolute path of stasis-restore
 */
public record Natives(Path home, Path agent, Path restorer) {

    public static final String AGENT = "libstasis.so";
    public static final String RESTORER = "stasis-restore";
    /** System property the bin/ scripts set to the installation directory. */
    public static final String HOME_PROPERTY = "stasis.home";
    /** Environment variable that may name the installation instead. */
    public static final String HOME_ENV = "STASIS_HOME";

    /** The installation directory: system property stasis.home, else $STASIS_HOME. */
    public static Path installationHome() throws InstallationException {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            home = System.getenv(HOME_ENV);
        }
        if (home == null || home.isBlank()) {
            throw new InstallationException("cannot find the Stasis installation: neither -D" + HOME_PROPERTY
                    + " nor " + HOME_ENV + " is set (run the commands from the installation's bin/ directory)");
        }
        Path p = Path.of(home).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new InstallationException("the Stasis installation " + p + " does not exist");
        }
        return p;
    }

    /** Locates both native parts in {@code <home>/lib}, checking that they are usable. */
    public static Natives locate(Path home) throws InstallationException {
        Path lib = home.toAbsolutePath().normalize().resolve("lib");
        Path agent = lib.resolve(AGENT);
        Path restorer = lib.resolve(RESTORER);
        if (!Files.isRegularFile(agent)) {
            throw new InstallationException("the Stasis installation in " + home + " is incomplete: " + agent
                    + " is missing (the checkpoint agent; was the native part built?)");
        }
        if (!Files.isReadable(agent)) {
            throw new InstallationException("cannot read the checkpoint agent " + agent);
        }
        if (!Files.isRegularFile(restorer)) {
            throw new InstallationException("the Stasis installation in " + home + " is incomplete: " + restorer
                    + " is missing (the restorer; was the native part built?)");
        }
        if (!Files.isExecutable(restorer)) {
            throw new InstallationException("the restorer " + restorer + " is not executable (chmod +x it)");
        }
        return new Natives(home, agent, restorer);
    }

    /** {@link #locate(Path)} in {@link #installationHome()}. */
    public static Natives locate() throws InstallationException {
        return locate(installationHome());
    }
}
