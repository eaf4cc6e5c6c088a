package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * manyfds: a process with 10,000 open descriptors, numbers up to about 10,000 (regular files at
 * known offsets, dups, pipes with bytes in flight, /dev/null; some nonblocking, append-only or
 * close-on-exec). Every tick the program checks each one itself (flags, contents, offsets, a
 * dup moving with its original, a pipe's bytes read out and written back). Across two
 * checkpoint / SIGKILL / restart cycles every descriptor is back under its number: every tick
 * after each restart reports all 10,000 good. Skipped where RLIMIT_NOFILE's hard limit is
 * below 10,100.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ManyFdsIT extends ItBase {

  static final int COUNT = 10000;
  static final Series TICK =
      new Series("tick", Pattern.compile("^tick (\\d+) fds=(\\d+) ok=(\\d+) bad=(\\d+) top=(\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void tenThousandDescriptorsComeBack(RunAs who, TestInfo info) {
    harness(who, info);
    Program prog = Program.c("manyfds", String.valueOf(COUNT), "200");
    Harness.Bg running = h.launch(prog);
    List<String> first = h.waitForOutput(running,
        lines -> !TICK.values(lines).isEmpty() || lines.stream().anyMatch(l -> l.startsWith("skip:")),
        Harness.DEFAULT_WAIT, "manyfds to open its descriptors");
    first.stream().filter(l -> l.startsWith("skip:")).findFirst()
        .ifPresent(l -> Assumptions.abort("manyfds " + l));
    h.waitForValues(running, TICK, 3, Harness.DEFAULT_WAIT);
    assertAllGood(running);
    for (int cycle = 1; cycle <= 2; cycle++) {
      Cycle c = checkpointKillRestart(running, prog, TICK, 3, Duration.ofSeconds(120), Duration.ofSeconds(120));
      running = c.restarted();
      assertAllGood(running);
    }
    h.killProgram(prog);
  }

  /** Every tick: all COUNT descriptors checked good, some of them above 1024. */
  private static void assertAllGood(Harness.Bg bg) {
    List<Matcher> ticks = TICK.matches(bg.lines());
    assertTrue(!ticks.isEmpty(), "no tick\n" + bg.describe());
    for (Matcher m : ticks) {
      String where = "tick " + m.group(1) + "\n" + bg.describe();
      assertEquals(String.valueOf(COUNT), m.group(2), where);
      assertEquals("0", m.group(4), "descriptors wrong after a restart: " + where);
      assertEquals(String.valueOf(COUNT), m.group(3), where);
      assertTrue(Integer.parseInt(m.group(5)) >= COUNT, where);
    }
  }
}
