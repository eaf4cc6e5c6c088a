package org.stasis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** The main manifest attributes of a bundle, a jar file or an exploded folder, read without Felix. */
final class BundleManifest {

    private BundleManifest() {}

    /** The main attributes, or null when the jar or folder has no manifest. */
    static Attributes read(Path bundle) throws IOException {
        if (Files.isDirectory(bundle)) {
            Path mf = bundle.resolve("META-INF").resolve("MANIFEST.MF");
            if (!Files.isRegularFile(mf)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(mf)) {
                return new Manifest(in).getMainAttributes();
            }
        }
        try (JarFile jar = new JarFile(bundle.toFile())) {
            Manifest mf = jar.getManifest();
            return mf == null ? null : mf.getMainAttributes();
        }
    }
}
