package org.stasis.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every command rejects an unknown option with a usage message and a non-zero exit, starting nothing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnknownOptionIT extends ItBase {

  private static final String BOGUS = "--no-such-option-itest";

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void unknownOptionGivesUsage(RunAs who, TestInfo info) {
    harness(who, info);
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of(Harness.bin("dmtcp_launch").toString(), BOGUS, Harness.EXAMPLES.resolve("count").toString()));
    commands.add(List.of(Harness.bin("dmtcp_restart").toString(), BOGUS));
    commands.add(List.of(Harness.bin("dmtcp_command").toString(), BOGUS));
    commands.add(List.of(Harness.bin("dmtcp_coordinator").toString(), BOGUS));
    Path stasis = Harness.bin("stasis");
    if (Files.exists(stasis)) {
      commands.add(List.of(stasis.toString(), BOGUS));
    }

    List<String> problems = new ArrayList<>();
    for (List<String> cmd : commands) {
      Harness.Result r = h.run(Duration.ofSeconds(30), cmd);
      String name = Path.of(cmd.get(0)).getFileName().toString();
      if (r.timedOut()) {
        problems.add(name + ": did not exit within 30 s\n" + r.describe());
      } else if (r.exit() == 0) {
        problems.add(name + ": exit status 0\n" + r.describe());
      } else if (!r.all().toLowerCase().contains("usage")) {
        problems.add(name + ": no usage message\n" + r.describe());
      } else if (!Series.COUNT.values(Arrays.asList(r.out().split("\n"))).isEmpty()) {
        problems.add(name + ": the program ran\n" + r.describe());
      }
      Harness.sleep(300);
      Set<Long> left = h.markedPids();
      if (!left.isEmpty()) {
        problems.add(name + ": left processes running:\n" + Harness.describeProcesses(left));
        h.killEverything();
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
    assertTrue(h.markedPids().isEmpty());
  }
}
