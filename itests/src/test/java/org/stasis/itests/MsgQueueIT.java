package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * msgqueue: a parent and its child talk over one SysV message queue with three messages always
 * in flight. Across two checkpoint / SIGKILL / restart cycles every answer comes back in order
 * (the messages waiting in the queue at the checkpoint are there again, none twice), the queue
 * id the program knows stays the same, and the program ends normally, removing its queue.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MsgQueueIT extends TreeItBase {

  static final Series ANSWERS = new Series("answer", Pattern.compile("^(\\d+) ok msq=(\\d+)$"));

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void messagesInFlightSurviveRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Harness.Bg running = h.launch(Program.c("msgqueue", "500", "20"));
    h.waitForValues(running, ANSWERS, 20, Harness.DEFAULT_WAIT);
    String id = queueIds(running).get(0);
    for (int cycle = 1; cycle <= 2; cycle++) {
      TreeCycle c = checkpointKillRestartTree(running, ANSWERS, 20);
      running = c.restarted();
      assertEquals(List.of(id), queueIds(running).stream().distinct().toList(),
          "the queue id the program knows changed\n" + running.describe());
    }
    h.waitForOutput(running, lines -> lines.contains("done"), Duration.ofSeconds(90), "msgqueue to finish");
    assertFalse(String.join("\n", running.lines()).contains("WRONG"), running.describe());
    assertConsecutive(ANSWERS.values(running.lines()), "answers after the second restart", running);
    assertEquals(500, Series.last(ANSWERS.values(running.lines())), running.describe());
    assertEquals(0, exitStatus(running), running.describe());
    assertNothingLeft("msgqueue");
  }

  private static List<String> queueIds(Harness.Bg bg) {
    return ANSWERS.matches(bg.lines()).stream().map((Matcher m) -> m.group(2)).toList();
  }
}
