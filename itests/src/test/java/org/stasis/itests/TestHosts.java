package org.stasis.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The test hosts of {@code itests/hosts/test-hosts}: head, node1 and node2, each a network and a
 * UTS namespace of this machine with its own address (10.77.0.10-12) and host name, and an sshd
 * of its own. Making them needs root; tests that use them are skipped elsewhere, saying why.
 */
final class TestHosts {
  static final Path SCRIPT = Path.of("hosts", "test-hosts").toAbsolutePath();
  static final String NODE1_ADDRESS = "10.77.0.11";

  private static boolean up;

  private TestHosts() {}

  /** Why the hosts cannot be made here, or null when they can. */
  static String unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "test hosts need root (network namespaces, a bridge, sshd)";
    }
    for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/nsenter", "/usr/bin/unshare")) {
      if (!Files.isExecutable(Path.of(tool))) {
        return tool + " is missing (packages openssh-server, util-linux)";
      }
    }
    if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
      return "ip is missing (package iproute2)";
    }
    return null;
  }

  static synchronized void up() {
    if (up) {
      return;
    }
    Harness.Result r = Harness.runRaw(Duration.ofSeconds(60), List.of(SCRIPT.toString(), "up"));
    if (r.exit() != 0) {
      throw new AssertionError("the test hosts did not come up\n" + r.describe());
    }
    up = true;
  }

  static synchronized void down() {
    if (up) {
      Harness.runRaw(Duration.ofSeconds(60), List.of(SCRIPT.toString(), "down"));
      up = false;
    }
  }

  /** The command prefix that runs what follows on {@code host}, in place. */
  static List<String> enter(String host) {
    return List.of(SCRIPT.toString(), "run", host);
  }

  /** An ssh config with which {@code account} reaches every host by name without a question. */
  static String sshConfig(String account) {
    Harness.Result r = Harness.runRaw(Duration.ofSeconds(30), List.of(SCRIPT.toString(), "user", account));
    if (r.exit() != 0) {
      throw new AssertionError("no ssh key for " + account + " on the test hosts\n" + r.describe());
    }
    return r.out().trim();
  }

  /** The network namespace a process is in, as /proc shows it ("net:[4026532...]"). */
  static String netOf(long pid) {
    try {
      return Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "ns", "net")).toString();
    } catch (java.io.IOException e) {
      return "(gone)";
    }
  }

  /** The network namespace of {@code host}. */
  static String netOf(String host) {
    List<String> cmd = new java.util.ArrayList<>(enter(host));
    cmd.addAll(List.of("readlink", "/proc/self/ns/net"));
    return Harness.runRaw(Duration.ofSeconds(30), cmd).out().trim();
  }
}
