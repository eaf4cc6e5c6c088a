package org.stasis.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An example program as the tests see it.
 *
 * @param argv what to run
 * @param comm its short name ({@code /proc/<pid>/comm}); images are named {@code ckpt_<comm>_*.dmtcp}
 * @param identity a file only this program's process maps (its binary, or its interpreter); used
 *     to find the program's pid in {@code /proc/<pid>/maps}, which stays true after a restart
 *     because the restorer maps the same files again
 * @param cmdlineMarker if not null, a string the program's command line must contain as well
 *     (to tell an example JVM from a Java front end or coordinator)
 */
public record Program(List<String> argv, String comm, Path identity, String cmdlineMarker) {

  /** A C example from examples/target/bin. */
  public static Program c(String name, String... args) {
    Path bin = Harness.EXAMPLES.resolve(name);
    return new Program(argv(bin.toString(), args), comm(name), real(bin), null);
  }

  /** A C program at an explicit path (e.g. a copy in the test's directory). */
  public static Program at(Path bin, String... args) {
    return new Program(argv(bin.toString(), args), comm(bin.getFileName().toString()), real(bin), null);
  }

  /** examples/target/bin/count.py with a python3 every test account can run. */
  public static Program python(String... args) {
    Path python = python3();
    List<String> argv = new ArrayList<>(List.of(python.toString(), Harness.EXAMPLES.resolve("count.py").toString()));
    argv.addAll(List.of(args));
    return new Program(argv, comm(python.getFileName().toString()), real(python), "count.py");
  }

  /**
   * examples/target/bin/count.js run by Debian's node ({@code /usr/bin/node}, or system property
   * {@code stasis.itest.node}); empty when there is none, so the test can say it skipped.
   */
  public static Optional<Program> node(String... args) {
    Path node = Path.of(System.getProperty("stasis.itest.node", "/usr/bin/node"));
    if (!Files.isExecutable(node)) return Optional.empty();
    List<String> argv = new ArrayList<>(List.of(node.toString(), Harness.EXAMPLES.resolve("count.js").toString()));
    argv.addAll(List.of(args));
    return Optional.of(new Program(argv, comm(node.getFileName().toString()), real(node), "count.js"));
  }

  /**
   * A script from examples/target/bin run by {@code interpreter} (a bash or python3 every test
   * account can run); the script's name tells its processes from other runs of the interpreter.
   */
  public static Program script(Path interpreter, String script, String... args) {
    List<String> argv = new ArrayList<>(List.of(interpreter.toString(), Harness.EXAMPLES.resolve(script).toString()));
    argv.addAll(List.of(args));
    return new Program(argv, comm(interpreter.getFileName().toString()), real(interpreter), script);
  }

  /** examples/target/bin/count.jar with -Xmx64m, run by the JVM that runs the tests. */
  public static Program java(String... args) {
    Path home = Path.of(System.getProperty("java.home"));
    Path java = home.resolve("bin/java");
    List<String> argv = new ArrayList<>(List.of(java.toString(), "-Xmx64m", "-jar",
        Harness.EXAMPLES.resolve("count.jar").toString()));
    argv.addAll(List.of(args));
    return new Program(argv, "java", real(home.resolve("lib/server/libjvm.so")), "count.jar");
  }

  /** The JVM used by {@link #java}, if there is one. */
  public static Optional<Path> javaExecutable() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? Optional.of(java) : Optional.empty();
  }

  /**
   * python3 for the example: system property {@code stasis.itest.python}, else /usr/bin/python3
   * (readable by every account, unlike e.g. a pyenv shim in root's home), else the first python3
   * on PATH.
   */
  public static Path python3() {
    String prop = System.getProperty("stasis.itest.python");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    for (String candidate : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Path.of(candidate);
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "python3");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return Path.of("/usr/bin/python3");
  }

  public String name() {
    return Path.of(argv.get(0)).getFileName().toString();
  }

  private static List<String> argv(String first, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(first);
    argv.addAll(List.of(args));
    return argv;
  }

  private static String comm(String name) {
    return name.length() > 15 ? name.substring(0, 15) : name;
  }

  private static Path real(Path p) {
    try {
      return Files.exists(p) ? p.toRealPath() : p.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
