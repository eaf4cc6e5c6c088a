package org.stasis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.stasis.testplugin.TestActivator;

/** Builds small plugin bundles for tests, as jars or exploded folders. */
final class TestBundles {

    /** The test plugin's class files, as resource names. */
    private static final List<String> CLASSES = List.of(TestActivator.class.getName().replace('.', '/') + ".class",
            TestActivator.class.getName().replace('.', '/') + "$Configured.class");

    private TestBundles() {}

    /** {@link #plugin} with the test plugin's behaviour headers (see TestActivator) added. */
    static Map<String, String> plugin(String name, boolean defaultEnabled, String... behaviour) {
        Map<String, String> h = plugin(name, "1.0", defaultEnabled);
        for (int i = 0; i + 1 < behaviour.length; i += 2) {
            h.put(behaviour[i], behaviour[i + 1]);
        }
        return h;
    }

    /** Headers of a good plugin bundle named {@code name}. */
    static Map<String, String> plugin(String name, String sdk, boolean defaultEnabled) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Bundle-ManifestVersion", "2");
        h.put("Bundle-SymbolicName", "test." + name);
        h.put("Bundle-Version", "1.2.3");
        h.put("Bundle-Activator", TestActivator.class.getName());
        h.put("Import-Package", "org.osgi.framework,org.stasis.sdk;version=\"[1.0,2)\"");
        h.put("Stasis-Plugin-Name", name);
        h.put("Stasis-Sdk-Version", sdk);
        h.put("Stasis-Default-Enabled", Boolean.toString(defaultEnabled));
        return h;
    }

    static Path jar(Path file, Map<String, String> headers) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                JarOutputStream jar = headers == null ? new JarOutputStream(out)
                        : new JarOutputStream(out, manifest(headers))) {
            for (String cls : CLASSES) {
                jar.putNextEntry(new JarEntry(cls));
                try (InputStream in = TestActivator.class.getClassLoader().getResourceAsStream(cls)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        return file;
    }

    static Path folder(Path dir, Map<String, String> headers) throws IOException {
        Path mf = dir.resolve("META-INF/MANIFEST.MF");
        Files.createDirectories(mf.getParent());
        try (OutputStream out = Files.newOutputStream(mf)) {
            manifest(headers).write(out);
        }
        for (String cls : CLASSES) {
            Path target = dir.resolve(cls);
            Files.createDirectories(target.getParent());
            try (InputStream in = TestActivator.class.getClassLoader().getResourceAsStream(cls)) {
                Files.copy(in, target);
            }
        }
        return dir;
    }

    private static Manifest manifest(Map<String, String> headers) {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        return m;
    }
}
