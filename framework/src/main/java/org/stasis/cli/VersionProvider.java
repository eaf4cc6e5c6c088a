package org.stasis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code --version} of every front end: "{@code <command> (Stasis) <version>}". */
public final class VersionProvider implements IVersionProvider {

    @Spec
    CommandSpec spec;

    private static volatile String version;

    /** The project version the framework jar was built with. */
    public static String version() {
        String v = version;
        if (v == null) {
            v = "unknown";
            try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    v = p.getProperty("version", v);
                }
            } catch (IOException e) {
                // keep "unknown"
            }
            version = v;
        }
        return v;
    }

    @Override
    public String[] getVersion() {
        String name = spec == null ? "stasis" : spec.qualifiedName(" ");
        return new String[] {
            name + " (Stasis) " + version(),
            "Transparent checkpoint/restart for unmodified Linux programs, with a DMTCP-compatible command line.",
        };
    }
}
