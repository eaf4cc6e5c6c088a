package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * dmtcp_coordinator in the foreground answers its interactive keys as DMTCP's does: s (status),
 * l (list), c (checkpoint), i (ask for an interval), ? (help), k (kill the computation) and
 * q (quit), typed on its standard input while a program runs under it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InteractiveCoordinatorIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void interactiveKeys(RunAs who, TestInfo info) throws IOException, InterruptedException {
    harness(who, info);
    Path out = h.dir().resolve("coordinator.out");
    Process coordinator = new ProcessBuilder(h.wrap(List.of(Harness.bin("dmtcp_coordinator").toString(),
            "-p", String.valueOf(h.port()), "--ckptdir", h.dir().toString()), Map.of()))
        .directory(h.dir().toFile())
        .redirectOutput(out.toFile())
        .redirectErrorStream(true)
        .start();
    try (OutputStream keys = coordinator.getOutputStream()) {
      awaitCoordinator();
      Program count = Program.c("count");
      Harness.Bg launched = h.start("launch", List.of(Harness.bin("dmtcp_launch").toString(), "-j", "-p",
          String.valueOf(h.port()), Harness.EXAMPLES.resolve("count").toString()));
      h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);

      type(keys, "s");
      awaitOutput(out, t -> t.contains("NUM_PEERS=1") && t.contains("RUNNING=yes"), "status after 's'");
      type(keys, "l");
      awaitOutput(out, t -> t.contains("count"), "the program in the list after 'l'");
      type(keys, "c");
      awaitOutput(out, t -> Harness.images(h.dir()).size() == 1, "an image after 'c'");
      type(keys, "i");
      type(keys, "3");
      awaitOutput(out, t -> t.contains("Checkpoint interval set to 3 s"), "the new interval after 'i'");
      type(keys, "?");
      awaitOutput(out, t -> t.contains("COMMANDS:"), "the key list after '?'");
      type(keys, "k");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!h.programPids(count).isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "'k' did not kill the program\n" + Files.readString(out));
        Harness.sleep(100);
      }
      type(keys, "q");
      assertTrue(coordinator.waitFor(30, TimeUnit.SECONDS), "'q' did not stop the coordinator\n"
          + Files.readString(out));
      assertEquals(0, coordinator.exitValue(), "coordinator exit status after 'q'\n" + Files.readString(out));
    } finally {
      coordinator.destroyForcibly();
    }
  }

  private void awaitCoordinator() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (h.command(Duration.ofSeconds(15), "-s").exit() != 0) {
      assertTrue(System.nanoTime() < deadline, "the coordinator did not come up on port " + h.port());
      Harness.sleep(200);
    }
  }

  private static void type(OutputStream keys, String line) throws IOException {
    keys.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  private static void awaitOutput(Path out, Predicate<String> ok, String what) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ok.test(Files.readString(out))) {
      assertTrue(System.nanoTime() < deadline, "no " + what + "; coordinator said:\n" + Files.readString(out));
      Harness.sleep(100);
    }
  }
}
