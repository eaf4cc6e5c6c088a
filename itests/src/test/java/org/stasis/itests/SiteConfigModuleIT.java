package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A site disables a default plugin (files) for everyone who loads its module, the way the
 * installation's modulefile shows: a copy of it in the site's module tree, with the
 * {@code setenv STASIS_CONFIG} line uncommented and pointing at a site configuration file. With
 * the module loaded through Environment Modules ({@code module load}):
 *
 * <ul>
 *   <li>{@code stasis plugins} shows files disabled, decided by that file;
 *   <li>a launch does not preload the plugin's native half, and its images do not list it;
 *   <li>a restart of an image made without the module (files on) runs with the plugin off: the
 *       restarted process says so and the plugin's hooks no longer run, while the program
 *       continues its count.
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SiteConfigModuleIT extends ItBase {

  static final Path MODULES_INIT = Path.of("/usr/share/modules/init/bash");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void siteConfigFromTheModuleDisablesADefaultPluginForLaunchAndRestart(RunAs who, TestInfo info) {
    Assumptions.assumeTrue(Files.isRegularFile(MODULES_INIT) || System.getenv("CI") != null,
        "Environment Modules is not installed (apt-get install environment-modules; .ci/run does)");
    harness(who, info);
    assertTrue(Files.isRegularFile(MODULES_INIT), "Environment Modules is missing: " + MODULES_INIT);
    Path withModule = siteModule();

    Harness.Result plugins = h.run(Duration.ofSeconds(60), List.of(withModule.toString(), "stasis", "plugins"));
    String filesLine = plugins.out().lines().filter(l -> l.startsWith("files ")).findFirst().orElse("");
    assertTrue(filesLine.matches("files\\s+\\S+\\s+no\\s+site:" + h.dir().resolve("site.conf") + "\\s.*"),
        "stasis plugins does not show files disabled by the site file\n" + plugins.describe());

    // Launch with the module: the native half is not in the program.
    Program count = Program.c("count");
    Harness.Bg launched = h.start("launch", List.of(withModule.toString(), Harness.bin("dmtcp_launch").toString(),
        "-p", String.valueOf(h.port()), "--new-coordinator", count.argv().get(0)));
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    for (long pid : h.programPids(count)) {
      String maps = Harness.readQuietly(Path.of("/proc", String.valueOf(pid), "maps"));
      assertTrue(maps.contains("libstasis.so"), "the agent is missing from " + pid);
      assertFalse(maps.contains("libstasis-files.so"), "the files plugin was preloaded despite the site file");
    }
    h.bcheckpoint();
    Harness.Result inspect = h.run(Duration.ofSeconds(60),
        List.of(Harness.bin("stasis").toString(), "inspect", h.image(count).toString()));
    assertFalse(inspect.out().lines().anyMatch(l -> l.startsWith("Plugins:") && l.contains("files")),
        "the image lists the disabled plugin\n" + inspect.describe());
    h.killProgram(count);
    deleteImages();

    // Launch without the module (files on), checkpoint, kill; restart with the module.
    Harness.Bg plain = h.launch(count);
    h.waitForValues(plain, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    long before = Series.last(Series.COUNT.values(plain.lines()));
    h.bcheckpoint();
    long after = Series.last(Series.COUNT.values(plain.lines()));
    Path image = h.image(count);
    Harness.Result inspectPlain = h.run(Duration.ofSeconds(60),
        List.of(Harness.bin("stasis").toString(), "inspect", image.toString()));
    assertTrue(inspectPlain.out().lines().anyMatch(l -> l.startsWith("Plugins:") && l.contains("files")),
        "an image made without the module should list files\n" + inspectPlain.describe());
    h.killProgram(count);

    Harness.Bg restarted = h.start("restart", List.of(withModule.toString(), Harness.bin("dmtcp_restart").toString(),
        "-p", String.valueOf(h.port()), image.toString()));
    List<Long> resumed = h.waitForValues(restarted, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertResumes(resumed, before, after, "count after a restart with the module", restarted);
    assertTrue(restarted.errText().contains("plugin files is disabled by the restart's configuration"),
        "the restarted process does not say that the files plugin is off\n" + restarted.describe());
    // the restarted process is checkpointed again without the plugin, and runs on
    h.bcheckpoint();
    h.waitForValues(restarted, Series.COUNT, resumed.size() + 5, Duration.ofSeconds(30));
    assertConsecutive(Series.COUNT.values(restarted.lines()), "count after the next checkpoint", restarted);
  }

  /** The site's copy of the installation's modulefile, and a script that runs a command with it loaded. */
  private Path siteModule() {
    try {
      Path siteConf = h.dir().resolve("site.conf");
      Files.writeString(siteConf, "# site policy\nplugin.files = off\n");
      Path home = Harness.STASIS_HOME.toAbsolutePath().normalize();
      Path installed;
      try (Stream<Path> s = Files.list(home.resolve("share/stasis/modulefiles/stasis"))) {
        installed = s.filter(p -> !p.toString().endsWith(".lua")).findFirst().orElseThrow();
      }
      String text = Files.readString(installed);
      assertTrue(text.contains("# setenv STASIS_CONFIG "), "the modulefile has no commented STASIS_CONFIG line");
      text = text.replaceFirst("(?m)^# setenv STASIS_CONFIG .*$", "setenv STASIS_CONFIG " + siteConf)
          .replaceFirst("(?m)^set home .*$", "set home " + home);
      Path tree = Files.createDirectories(h.dir().resolve("modules/stasis"));
      Files.writeString(tree.resolve("site"), text);
      Path script = h.dir().resolve("with-module.sh");
      Files.writeString(script, "#!/bin/bash\n"
          + "source " + MODULES_INIT + "\n"
          + "module use " + h.dir().resolve("modules") + "\n"
          + "module load stasis/site || exit 99\n"
          + "exec \"$@\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      for (Path p : List.of(siteConf, h.dir().resolve("modules"), tree, tree.resolve("site"), script)) {
        h.chown(p);
      }
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void deleteImages() {
    for (Path p : Harness.images(h.dir())) {
      try {
        Files.delete(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
