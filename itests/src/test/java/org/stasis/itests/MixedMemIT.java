package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * mixedmem.c: random, zero and patterned heap content. After each restart the program
 * re-verifies its checksum over the whole buffer (every 10 ticks) and the value stays the one it
 * computed at start. 64 MiB is the quick variant; 1 GiB is the size that matters (run once per
 * account: it is the slowest test).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MixedMemIT extends ItBase {

  private static final Pattern HEADER = Pattern.compile("^mixedmem (\\d+) MiB sum=([0-9a-f]+)$");

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void mixedMemory64MiB(RunAs who, TestInfo info) {
    run(who, info, 64, Duration.ofSeconds(60), Duration.ofSeconds(60));
  }

  /** Images stored raw (--no-gzip) take another path through the writer and the restorer. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void mixedMemory64MiBUncompressed(RunAs who, TestInfo info) {
    run(who, info, 64, Duration.ofSeconds(60), Duration.ofSeconds(60), "--no-gzip");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  @Timeout(value = 420, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void mixedMemory1GiB(RunAs who, TestInfo info) {
    run(who, info, 1024, Duration.ofSeconds(180), Duration.ofSeconds(120));
  }

  private void run(RunAs who, TestInfo info, int mib, Duration checkpointTimeout, Duration restartTimeout,
      String... launchOptions) {
    harness(who, info);
    Program mixedmem = Program.c("mixedmem", String.valueOf(mib));
    Harness.Bg launched = h.launch(mixedmem, launchOptions);
    // at least one full verification (tick 10) before the first checkpoint
    h.waitForValues(launched, Series.TICK, 12, Duration.ofSeconds(120));
    String sum0 = initialSum(launched, mib);

    // 25 ticks after a restart include at least two full re-verifications
    Cycle first = checkpointKillRestart(launched, mixedmem, Series.TICK, 25, checkpointTimeout, restartTimeout);
    Cycle second = checkpointKillRestart(first.restarted(), mixedmem, Series.TICK, 25, checkpointTimeout,
        restartTimeout);

    for (Harness.Bg bg : List.of(launched, first.restarted(), second.restarted())) {
      for (String sum : Series.TICK.group(bg.lines(), 2)) {
        assertEquals(sum0, sum, "checksum changed\n" + bg.describe());
      }
    }
    Set<Long> pids = h.programPids(mixedmem);
    assertTrue(!pids.isEmpty(), "mixedmem is no longer running\n" + second.restarted().describe());
  }

  private static String initialSum(Harness.Bg launched, int mib) {
    for (String line : launched.lines()) {
      Matcher m = HEADER.matcher(line);
      if (m.matches()) {
        assertEquals(String.valueOf(mib), m.group(1));
        return m.group(2);
      }
    }
    throw new AssertionError("no 'mixedmem <n> MiB sum=' line\n" + launched.describe());
  }
}
