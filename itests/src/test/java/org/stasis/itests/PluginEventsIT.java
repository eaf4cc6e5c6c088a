package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two plugins with native halves, given with --with-plugin (the example counter plugin as a jar,
 * the probe test plugin as an exploded folder): their hooks run in plugin order at PRESUSPEND and
 * PRECHECKPOINT and in reverse at RESUME and RESTART, the probe's KV and barrier calls are
 * answered, and the counter kept in the counter plugin's own image section survives two
 * checkpoint / SIGKILL / restart cycles while the program's count continues.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PluginEventsIT extends ItBase {

  private static final Pattern EVENT = Pattern.compile("^\\[(counter|probe)\\] ([A-Z]+)(.*)$");

  static final List<String> CHECKPOINT_ORDER = List.of("counter PRESUSPEND", "probe PRESUSPEND",
      "counter PRECHECKPOINT", "probe PRECHECKPOINT", "probe RESUME", "counter RESUME");
  static final List<String> RESTART_ORDER = List.of("probe RESTART", "counter RESTART", "probe RESUME",
      "counter RESUME");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void eventsInOrderAndCounterSurvivesRestarts(RunAs who, TestInfo info) {
    harness(who, info);
    Program count = Program.c("count");
    String plugins = Harness.COUNTER_PLUGIN.toAbsolutePath() + ":" + Harness.PROBE_PLUGIN.toAbsolutePath();
    Harness.Bg launched = h.launch(count, "--with-plugin", plugins);
    h.waitForValues(launched, Series.COUNT, 5, Harness.DEFAULT_WAIT);
    assertEquals(List.of(), events(launched), "events before any checkpoint\n" + launched.describe());

    Cycle first = checkpointKillRestart(launched, count, Series.COUNT, 5);
    assertEquals(CHECKPOINT_ORDER, events(launched), "checkpoint events of the launched process\n"
        + launched.describe());
    assertTrue(launched.errText().contains("[counter] PRECHECKPOINT generation=1 checkpoints=1"),
        launched.describe());
    assertTrue(launched.errText().contains("[probe] PRECHECKPOINT kv=ok"), launched.describe());
    assertEquals(RESTART_ORDER, events(first.restarted()), "restart events\n" + first.restarted().describe());
    assertTrue(first.restarted().errText().contains("[counter] RESTART generation=1 checkpoints=1"),
        "the counter was not read back from its image section\n" + first.restarted().describe());
    assertTrue(first.restarted().errText().contains("[counter] restarting from 1 image(s)"),
        "the Java half's onRestart did not run in dmtcp_restart\n" + first.restarted().describe());
    // the coordinator's side: onCheckpointComplete of the Java half, once per completed generation
    Path generations = h.dir().resolve("counter-generations.log");
    h.waitUntil(() -> Harness.readQuietly(generations).contains("generation 1 of "), Duration.ofSeconds(30),
        "the counter plugin's onCheckpointComplete for generation 1 (" + generations + ")");

    Harness.Result inspect = h.run(Duration.ofSeconds(60),
        List.of(Harness.bin("stasis").toString(), "inspect", h.image(count).toString()));
    assertTrue(inspect.out().contains("Plugin data: counter"), inspect.describe());
    assertTrue(inspect.out().lines().anyMatch(l -> l.startsWith("Plugins:") && l.contains("counter, probe")),
        "the image header does not list the plugins in order\n" + inspect.describe());

    h.waitForValues(first.restarted(), Series.COUNT, 10, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), count, Series.COUNT, 5);
    List<String> afterFirstRestart = new ArrayList<>(RESTART_ORDER);
    afterFirstRestart.addAll(CHECKPOINT_ORDER);
    assertEquals(afterFirstRestart, events(first.restarted()), first.restarted().describe());
    assertTrue(first.restarted().errText().contains("[counter] PRECHECKPOINT generation=2 checkpoints=2"),
        first.restarted().describe());
    assertTrue(second.restarted().errText().contains("[counter] RESTART generation=2 checkpoints=2"),
        "the counter did not survive the second restart\n" + second.restarted().describe());
    assertConsecutive(Series.COUNT.values(second.restarted().lines()), "count after the second restart",
        second.restarted());
    h.waitUntil(() -> Harness.readQuietly(generations).contains("generation 2 of "), Duration.ofSeconds(30),
        "the counter plugin's onCheckpointComplete for generation 2 (" + generations + ")");
  }

  /** "plugin EVENT" for each event line the plugins printed, in order. */
  static List<String> events(Harness.Bg bg) {
    List<String> out = new ArrayList<>();
    for (String line : bg.errText().split("\n")) {
      Matcher m = EVENT.matcher(line);
      if (m.matches()) {
        out.add(m.group(1) + " " + m.group(2));
      }
    }
    return out;
  }
}
