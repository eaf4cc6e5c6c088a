package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Raw connections to the coordinator (docs/protocol.md) that do not present the job's secret:
 * garbage, bad frame lengths, a wrong or missing secret, a command before HELLO, silence. Each
 * must be refused (closed, at most a REFUSED frame, never WELCOME or RESULT), and the job must
 * go on: the program keeps counting and the coordinator still takes real commands.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CoordinatorSocketIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void connectionsWithoutTheSecretAreRefused(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    Harness.Bg launched = h.launch(count);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);

    String wrongSecret = "0".repeat(64);
    Map<String, byte[]> probes = new LinkedHashMap<>();
    probes.put("garbage", "GET / HTTP/1.0\r\nHost: x\r\n\r\n\u0001\u0002\u00ff".getBytes(StandardCharsets.ISO_8859_1));
    probes.put("zero-length frame", new byte[4]);
    probes.put("oversized frame", ByteBuffer.allocate(8).putInt(65537).putInt(0).array());
    probes.put("command HELLO with a wrong secret", frame("HELLO\nrole=command\nsecret=" + wrongSecret + "\nproto=1\n"));
    probes.put("command HELLO without a secret", frame("HELLO\nrole=command\nproto=1\n"));
    probes.put("worker HELLO with a wrong secret", frame("HELLO\nrole=worker\nsecret=" + wrongSecret
        + "\nproto=1\nupid=0000000000000000-1-0\npid=1\nhost=x\nprogram=evil\nrestart=0\n"));
    probes.put("quit before HELLO", frame("COMMAND\nverb=quit\n"));
    probes.put("kill before HELLO", frame("COMMAND\nverb=kill\n"));
    probes.put("silence", new byte[0]);

    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, byte[]> p : probes.entrySet()) {
      String problem = probe(h.port(), p.getValue());
      if (problem != null) {
        problems.add(p.getKey() + ": " + problem);
      }
    }
    if (!problems.isEmpty()) {
      fail("the coordinator accepted or kept unauthenticated connections:\n  " + String.join("\n  ", problems));
    }

    // the job continues
    int printed = Series.COUNT.values(launched.lines()).size();
    h.waitForValues(launched, Series.COUNT, printed + 10, Duration.ofSeconds(20));
    Harness.Result status = h.command(Duration.ofSeconds(30), "-s");
    assertEquals(0, status.exit(), "dmtcp_command -s failed after the probes\n" + status.describe());
    h.bcheckpoint();
    assertTrue(!h.programPids(count).isEmpty(), "count is gone\n" + launched.describe());
  }

  /**
   * Sends {@code bytes} (without closing our side) and waits for the coordinator to close the
   * connection. Returns what was wrong, or null.
   */
  private static String probe(int port, byte[] bytes) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.getOutputStream().write(bytes);
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      byte[] buf = new byte[4096];
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        s.setSoTimeout(500);
        try {
          int n = in.read(buf);
          if (n < 0) {
            closed = true;
          } else {
            got.write(buf, 0, n);
          }
        } catch (SocketTimeoutException e) {
          // keep waiting
        } catch (IOException e) {
          closed = true; // reset
        }
      }
      for (String verb : verbs(got.toByteArray())) {
        if (!verb.equals("REFUSED") && !verb.equals("ERROR")) {
          return "answered " + verb;
        }
      }
      return closed ? null : "connection still open after 15 s";
    } catch (IOException e) {
      return "cannot connect: " + e;
    }
  }

  static byte[] frame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
  }

  /** The first line of every complete frame in {@code data}. */
  static List<String> verbs(byte[] data) {
    List<String> verbs = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.remaining() >= 4) {
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        verbs.add("<malformed frame>");
        break;
      }
      byte[] payload = new byte[n];
      b.get(payload);
      String text = new String(payload, StandardCharsets.UTF_8);
      verbs.add(text.split("\n", 2)[0].trim());
    }
    if (b.remaining() > 0 && verbs.isEmpty()) {
      verbs.add("<" + b.remaining() + " bytes that are not a frame>");
    }
    return verbs;
  }
}
