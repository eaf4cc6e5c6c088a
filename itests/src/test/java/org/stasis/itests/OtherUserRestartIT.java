package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Restart as another user (TARGETS.md, reliability): an image made by the unprivileged account
 * is refused to root with a message naming both users and the way out, and restarts with
 * --no-strict-checking. Needs root and the test account (else skipped, like every unprivileged
 * variant).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OtherUserRestartIT extends ItBase {

  @Test
  void anotherUsersImageIsRefusedUnlessAllowed(TestInfo info) throws IOException {
    harness(RunAs.UNPRIVILEGED, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    long before = Series.last(Series.COUNT.values(launched.lines()));
    h.bcheckpoint();
    long after = Series.last(Series.COUNT.values(launched.lines()));
    Path image = h.image(count);
    h.killProgram(count);

    // root, not the image's owner: refused before anything starts
    int port = h.freshPort();
    Harness.Result refused = Harness.runRaw(Duration.ofSeconds(60), restartAsRoot(port, image));
    assertNotEquals(0, refused.exit(), "root restarted another user's image:\n" + refused.describe());
    assertTrue(refused.err().contains("checkpointed by uid") && refused.err().contains("--no-strict-checking"),
        "the refusal does not say whose image it is and how to allow it:\n" + refused.describe());

    // explicitly allowed: it restarts and continues
    Path out = h.dir().resolve("restart-as-root.out");
    Process restarted = new ProcessBuilder(restartAsRoot(port, image, "--no-strict-checking"))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile())
        .redirectErrorStream(true)
        .start();
    try {
      List<Long> resumed = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (resumed.size() < 5 && System.nanoTime() < deadline) {
        Harness.sleep(100);
        resumed = Series.COUNT.values(Files.readAllLines(out));
      }
      String what = "count restarted by root with --no-strict-checking";
      assertTrue(resumed.size() >= 5, what + ": too little output\n" + Files.readString(out));
      long first = resumed.get(0);
      assertTrue(first >= before + 1 && first <= after + 1, what + ": first value " + first + " is outside ["
          + (before + 1) + ", " + (after + 1) + "]\n" + Files.readString(out));
      for (int i = 1; i < resumed.size(); i++) {
        assertEquals(resumed.get(i - 1) + 1, resumed.get(i), what + ": not consecutive\n" + Files.readString(out));
      }
    } finally {
      Harness.runRaw(Duration.ofSeconds(30), List.of(Harness.bin("dmtcp_command").toString(), "-p",
          String.valueOf(port), "-q"));
      restarted.destroyForcibly();
    }
  }

  /** dmtcp_restart run by this JVM's user (root), bypassing the harness's switch to the test account. */
  private static List<String> restartAsRoot(int port, Path image, String... options) {
    List<String> cmd = new ArrayList<>(List.of(Harness.bin("dmtcp_restart").toString(), "-p",
        String.valueOf(port), "--new-coordinator"));
    cmd.addAll(List.of(options));
    cmd.add(image.toString());
    return cmd;
  }
}
