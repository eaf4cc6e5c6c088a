package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * dmtcp_restart of a damaged, empty, foreign, missing or too-new image: names the file, exits non-zero,
 * and starts nothing (no program, no coordinator left behind).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadImageIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void badImagesAreRefused(RunAs who, TestInfo info) throws IOException {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    h.bcheckpoint();
    byte[] good = Files.readAllBytes(h.image(count));
    h.command(Duration.ofSeconds(15), "-q");
    h.killEverything();
    assertTrue(good.length > 8192, "image is implausibly small: " + good.length + " bytes");

    Path bad = h.newDir("bad");
    Map<String, Path> cases = new LinkedHashMap<>();
    cases.put("truncated to half", write(bad, "truncated", Arrays.copyOf(good, good.length / 2)));
    cases.put("trailer cut off", write(bad, "notrailer", Arrays.copyOf(good, good.length - 64)));
    cases.put("bit flipped in the header", write(bad, "flipheader", flip(good, 100)));
    cases.put("bit flipped in the middle", write(bad, "flipmiddle", flip(good, good.length / 2 + 1)));
    cases.put("empty", write(bad, "empty", new byte[0]));
    cases.put("foreign (an ELF executable)", write(bad, "foreign", Files.readAllBytes(Harness.EXAMPLES.resolve("count"))));
    cases.put("missing", bad.resolve("ckpt_count_missing.dmtcp"));
    cases.put("from a future version", write(bad, "future", futureVersion(good)));

    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, Path> c : cases.entrySet()) {
      String problem = tryRestart(c.getValue());
      if (problem != null) {
        failures.append("--- ").append(c.getKey()).append(": ").append(problem).append('\n');
      }
      h.killEverything();
    }
    if (failures.length() > 0) {
      fail("bad images not handled as required:\n" + failures);
    }
  }

  /** Returns what was wrong, or null. */
  private String tryRestart(Path image) {
    int port = h.freshPort();
    Harness.Result r = h.run(Duration.ofSeconds(30),
        List.of(Harness.bin("dmtcp_restart").toString(), "-p", String.valueOf(port), image.toString()));
    String name = image.getFileName().toString();
    if (r.timedOut()) {
      return "did not exit within 30 s\n" + r.describe();
    }
    if (r.exit() == 0) {
      return "exit status 0\n" + r.describe();
    }
    if (!r.all().contains(name)) {
      return "the message does not name the file " + name + "\n" + r.describe();
    }
    if (r.all().contains("Exception in thread")) {
      return "a stack trace instead of a message\n" + r.describe();
    }
    if (!Series.COUNT.values(Arrays.asList(r.out().split("\n"))).isEmpty()) {
      return "the program ran\n" + r.describe();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Set<Long> left = h.markedPids();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Harness.sleep(100);
      left = h.markedPids();
    }
    if (!left.isEmpty()) {
      return "processes left running:\n" + Harness.describeProcesses(left) + r.describe();
    }
    return null;
  }

  /**
   * A well-formed image claiming format version 99, its header checksum recomputed so that
   * only the version is wrong (docs/image-format.md: version at offset 8, CRC32C at 16 over
   * the 4096-byte header with the CRC field zeroed).
   */
  private static byte[] futureVersion(byte[] good) {
    byte[] b = good.clone();
    ByteBuffer header = ByteBuffer.wrap(b, 0, 4096).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(8, 99);
    header.putInt(16, 0);
    CRC32C crc = new CRC32C();
    crc.update(b, 0, 4096);
    header.putInt(16, (int) crc.getValue());
    return b;
  }

  private Path write(Path dir, String what, byte[] content) throws IOException {
    Path p = dir.resolve("ckpt_count_" + what + ".dmtcp");
    Files.write(p, content);
    h.chown(p);
    return p;
  }

  private static byte[] flip(byte[] good, int offset) {
    byte[] b = good.clone();
    b[offset] ^= 0x10;
    return b;
  }
}
