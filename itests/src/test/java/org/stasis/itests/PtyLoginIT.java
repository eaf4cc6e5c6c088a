package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ptylogin: a child on a pseudo-terminal as ssh daemons, expect and terminal multiplexers start
 * one: {@code openpty} + {@code fork} with {@code login_tty} in the child (which closes the
 * master, or keeps the one it inherited), or {@code forkpty}. The child leads a session whose
 * controlling terminal is the terminal side on 0, 1 and 2, counts on it and answers the lines
 * the parent types through the master. Across two checkpoint / SIGKILL / restart cycles: both
 * processes are in the image set, the count goes on with nothing lost or repeated, every line
 * typed is answered, and the child still has a {@code /dev/pts} terminal as its controlling one
 * ({@code tcgetsid(0) == getsid(0)}, /dev/tty opens, its group in the foreground), as
 * {@code /proc/<pid>/stat} shows it too (session leader, tty_nr set, tpgid its group).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PtyLoginIT extends TreeItBase {

  static final long TICKS = 600;
  static final Series TICK = new Series("tick", Pattern.compile("^child tick (\\d+) (\\S+) (.*)$"));
  static final Pattern ECHO = Pattern.compile("^child echo msg (\\d+)$");

  static Stream<Arguments> modes() {
    return RunAs.eachCase(List.of("openpty", "openpty-inherit", "forkpty"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("modes")
  void aLoginTtyChildKeepsItsTerminal(String mode, RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("ptylogin", mode, String.valueOf(TICKS), "30"));
    h.waitForValues(running, TICK, 10, Harness.DEFAULT_WAIT);
    assertOnItsTerminal(running);
    assertSessionInProc(running);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, TICK, 12);
      assertEquals(2, c.checkpoint().images().size(), "the parent's and the child's image: " + c.checkpoint().images());
      running = c.restarted();
      assertOnItsTerminal(running);
      assertSessionInProc(running);
    }
    h.waitForOutput(running, lines -> lines.contains("done 0"), Duration.ofSeconds(90), "ptylogin to finish");
    assertOnItsTerminal(running);
    assertConsecutive(TICK.values(running.lines()), "ticks after the second restart", running);
    assertEquals(TICKS, Series.last(TICK.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), running.describe());
    assertNothingLeft("ptylogin");
  }

  /**
   * Every tick says the child's standard input is a /dev/pts terminal that is its controlling
   * one, of its session, with its group in the foreground; every fifth tick is answered next.
   */
  private static void assertOnItsTerminal(Harness.Bg bg) {
    List<String> lines = bg.lines();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = TICK.pattern().matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      String where = "line " + i + " \"" + lines.get(i) + "\"\n" + bg.describe();
      assertTrue(m.group(2).startsWith("/dev/pts/"), "the child's stdin is no pseudo-terminal: " + where);
      assertEquals("sid=yes fg=yes ctty=yes leader=yes", m.group(3), where);
      long n = Long.parseLong(m.group(1));
      if (n % 5 == 0 && i + 1 < lines.size()) {
        Matcher e = ECHO.matcher(lines.get(i + 1));
        assertTrue(e.matches() && Long.parseLong(e.group(1)) == n, "tick " + n + " not answered next: " + where);
      }
    }
  }

  /**
   * As ps shows it (sid, tty, tpgid): the child leads its own session, has a controlling
   * terminal, and its group is that terminal's foreground group.
   */
  private void assertSessionInProc(Harness.Bg bg) {
    List<Proc> procs = computation();
    Proc child = procs.stream().filter(p -> procs.stream().anyMatch(q -> q.pid() == p.ppid())).findFirst()
        .orElseThrow(() -> new AssertionError("no child of the program:\n" + describe(procs) + bg.describe()));
    String stat = Harness.readQuietly(Path.of("/proc", String.valueOf(child.pid()), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    long ttyNr = Long.parseLong(f[4]);
    long tpgid = Long.parseLong(f[5]);
    String what = "child " + child + " tty_nr " + ttyNr + " tpgid " + tpgid + "\n" + describe(procs);
    assertEquals(child.pid(), child.sid(), "the child leads its session: " + what);
    assertTrue(ttyNr != 0, "the child has a controlling terminal: " + what);
    assertEquals(child.pgid(), tpgid, "the child's group is its terminal's foreground group: " + what);
  }
}
