package org.stasis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The lines of one site configuration file ({@code etc/stasis.conf}, or the file named by
 * {@code STASIS_CONFIG}); parsed by {@link EnabledSet} so that parsing stays free of I/O.
 *
 * @param source the file, as error messages and {@code site:<file>} layers name it
 * @param lines its lines
 */
public record SiteConfig(String source, List<String> lines) {

    /** The environment variable a site's modulefile sets to add its own configuration file. */
    public static final String ENV = "STASIS_CONFIG";

    public SiteConfig {
        lines = List.copyOf(lines);
    }

    /**
     * The configuration layers in order: the installation's {@code etc/stasis.conf} (if present),
     * then the file named by {@code STASIS_CONFIG}, which must exist when the variable is set.
     */
    public static List<SiteConfig> load(Path home, Env env) {
        SiteConfig installation = null;
        if (home != null) {
            Path etc = home.resolve("etc").resolve("stasis.conf");
            if (Files.isRegularFile(etc)) {
                installation = read(etc, "the site configuration");
            }
        }
        SiteConfig named = null;
        String file = env.get(ENV);
        if (file != null) {
            named = read(Path.of(file).toAbsolutePath().normalize(), "the file named by " + ENV);
        }
        if (installation == null) {
            return named == null ? List.of() : List.of(named);
        }
        return named == null ? List.of(installation) : List.of(installation, named);
    }

    private static SiteConfig read(Path file, String what) {
        try {
            return new SiteConfig(file.toString(), Files.readAllLines(file));
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read " + what + " " + file + ": no such file");
        } catch (IOException e) {
            throw new CliException("cannot read " + what + " " + file + ": " + LocalCoordinatorOps.describe(e));
        }
    }
}
