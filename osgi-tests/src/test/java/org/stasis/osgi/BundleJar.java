package org.stasis.osgi;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Writes a bundle as a real jar file: a manifest with the given headers and the compiled classes
 * of one package of this module's tests. Built at test time with java.util.jar rather than by
 * maven-bundle-plugin because the broken bundles need manifests no build tool would write.
 */
final class BundleJar {

    private BundleJar() {}

    /**
     * @param headers main manifest attributes, in order; null for a jar without a manifest
     * @param classesOf the package whose class files go in (all of them, so inner classes come
     *        along); null for none
     */
    static Path write(Path file, Map<String, String> headers, String classesOf) {
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file);
                    JarOutputStream jar = headers == null ? new JarOutputStream(out)
                            : new JarOutputStream(out, manifest(headers))) {
                if (classesOf != null) {
                    addPackage(jar, classesOf);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static void addPackage(JarOutputStream jar, String pkg) throws IOException {
        String dir = pkg.replace('.', '/');
        Path classes = Paths.get(System.getProperty("stasis.test.classes")).resolve(dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(classes)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".class")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no compiled classes in " + classes);
        }
        for (Path f : files) {
            jar.putNextEntry(new JarEntry(dir + "/" + f.getFileName()));
            Files.copy(f, jar);
            jar.closeEntry();
        }
    }

    private static Manifest manifest(Map<String, String> headers) {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach(a::putValue);
        return m;
    }
}
