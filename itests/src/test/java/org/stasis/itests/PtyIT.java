package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ttyecho in a pseudo-terminal: it turns the terminal's echo off and numbers the lines it reads
 * ({@code <n> <line> echo=on|off}). It is launched inside a pty (test resource
 * {@code ptyrun.py}, python3's pty module: Java has none), reads {@code alpha}, and then, two
 * times: blocking checkpoint, one more line read, SIGKILL of the computation (the pty's owner
 * included, so the terminal is gone), restart with {@code bash ./dmtcp_restart_script.sh} inside
 * a new pty, one line typed there.
 *
 * <ul>
 *   <li>the restarted ttyecho reads from and writes to the new terminal, and continues from the
 *       checkpoint: the line typed after the restart gets the number the line typed after the
 *       checkpoint had ({@code 2 gamma}, then {@code 3 epsilon});
 *   <li>the terminal settings the program made are restored to the new terminal: the new pty's
 *       ECHO flag goes off (as ptyrun reports) before anything is typed, the program says
 *       {@code echo=off}, and the new terminal does not echo the typed text;
 *   <li>end of input (^D) ends the restarted ttyecho normally: exit 0, nothing left.
 * </ul>
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PtyIT extends TreeItBase {

  /** Lines read after each checkpoint (killed afterwards) and after each restart. */
  private static final String[][] WORDS = {{"beta", "gamma"}, {"delta", "epsilon"}};

  private Path ptyrun;
  private int ptys;

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void terminalProgramResumesInANewTerminalWithItsSettings(RunAs who, TestInfo info) {
    harness(who, info);
    ptyrun = h.copyIn(resource("ptyrun.py"), "ptyrun.py");
    Pty running = inPty(List.of(Harness.bin("dmtcp_launch").toString(), "-p", String.valueOf(h.port()),
        "--new-coordinator", Harness.EXAMPLES.resolve("ttyecho").toString()));
    waitForLine(running, "ready");
    running.type("alpha\n");
    waitForLine(running, "1 alpha echo=off");
    assertNotEchoed(running, "alpha");

    long n = 1;
    for (int cycle = 1; cycle <= 2; cycle++) {
      String afterCheckpoint = WORDS[cycle - 1][0];
      String afterRestart = WORDS[cycle - 1][1];
      TreeCheckpoint c = checkpointTree(running.bg, null);
      assertEquals(1, c.images().size(), "one image (ttyecho): " + c.images());
      running.type(afterCheckpoint + "\n");
      waitForLine(running, (n + 1) + " " + afterCheckpoint + " echo=off");
      Set<Long> killed = killComputation();

      Pty restarted = inPty(List.of("bash", "./dmtcp_restart_script.sh"));
      System.out.println("[" + getClass().getSimpleName() + " " + h.who() + "] cycle " + cycle + ": " + killed.size()
          + " processes killed; restarting with bash ./dmtcp_restart_script.sh in pty " + ptys);
      // The new terminal starts with echo on; the restore must turn it off before we type.
      boolean restoredEchoOff = waitQuietly(() -> restarted.bg.errText().contains("ptyrun: echo=off"),
          Duration.ofSeconds(30));
      restarted.type(afterRestart + "\n");
      Pattern answer = Pattern.compile("^\\d+ " + afterRestart + " echo=(on|off)$");
      h.waitForOutput(restarted.bg, lines -> restarted.lines().stream().anyMatch(l -> answer.matcher(l).matches()),
          Duration.ofSeconds(60), "the restarted ttyecho to answer '" + afterRestart + "' in the new terminal");
      String got = restarted.lines().stream().filter(l -> answer.matcher(l).matches()).findFirst().orElseThrow();
      assertEquals((n + 1) + " " + afterRestart + " echo=off", got, "restart " + cycle
          + ": the line typed after the restart (the program must continue after line " + n + " with the "
          + "terminal's echo off)\n" + restarted.describe());
      assertTrue(restoredEchoOff, "restart " + cycle + ": the new terminal's ECHO flag was not turned off before "
          + "the line was typed (terminal settings not restored)\n" + restarted.describe());
      assertNotEchoed(restarted, afterRestart);
      running = restarted;
      n++;
    }

    running.type("\u0004");
    assertEquals(0, exitStatus(running.bg), "exit status of ptyrun (the restart's, after ^D)\n" + running.describe());
    assertNothingLeft("ttyecho");
  }

  /** A command running in a new pty: its terminal output, and a file whose growth is typed. */
  private final class Pty {
    final Harness.Bg bg;
    final Path input;

    Pty(Harness.Bg bg, Path input) {
      this.bg = bg;
      this.input = input;
    }

    /** What the terminal showed, line by line, without the terminal's carriage returns. */
    List<String> lines() {
      String text = bg.outText().replace("\r", "");
      List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
      lines.remove(lines.size() - 1);
      return lines;
    }

    void type(String text) {
      try {
        Files.writeString(input, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String describe() {
      return bg.describe() + "terminal lines: " + lines() + "\n";
    }
  }

  private Pty inPty(List<String> command) {
    ptys++;
    Path input = h.newFile("pty-" + ptys + ".in");
    List<String> cmd = new ArrayList<>(List.of(Program.python3().toString(), ptyrun.toString(), input.toString()));
    cmd.addAll(command);
    return new Pty(h.start("pty-" + ptys, cmd), input);
  }

  private void waitForLine(Pty pty, String line) {
    h.waitForOutput(pty.bg, ignored -> pty.lines().contains(line), Duration.ofSeconds(60),
        "'" + line + "' in the terminal (" + pty.bg.name + ")");
  }

  /** With echo off, the terminal must not show the typed text as a line of its own. */
  private static void assertNotEchoed(Pty pty, String typed) {
    assertFalse(pty.lines().contains(typed), "the terminal echoed '" + typed + "' (echo should be off)\n"
        + pty.describe());
  }

  private static boolean waitQuietly(java.util.function.BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Harness.sleep(50);
    }
    return true;
  }

  private static Path resource(String name) {
    try {
      return Path.of(PtyIT.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new AssertionError("test resource " + name + " not found", e);
    }
  }
}
