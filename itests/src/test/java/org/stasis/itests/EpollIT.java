package org.stasis.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An epoll watching a pipe, an eventfd and a periodic timerfd (examples/epollprog) survives two
 * checkpoint / SIGKILL / restart cycles: the timer keeps firing, the epoll still reports all
 * three, the pipe's numbers follow each other and the eventfd's count matches them.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EpollIT extends ItBase {

  @ParameterizedTest(name = "{0}")
  @EnumSource(RunAs.class)
  void epollOverPipeEventfdAndTimerfdKeepsItsInvariants(RunAs who, TestInfo info) {
    harness(who, info);
    Program prog = Program.c("epollprog");
    Harness.Bg launched = h.launch(prog);
    h.waitForValues(launched, Series.SEQ, 5, Harness.DEFAULT_WAIT);
    Cycle first = checkpointKillRestart(launched, prog, Series.SEQ, 5);
    h.waitForValues(first.restarted(), Series.SEQ, 10, Duration.ofSeconds(30));
    Cycle second = checkpointKillRestart(first.restarted(), prog, Series.SEQ, 5);
    Harness.assertNoBadMarkers(second.restarted(), second.restarted().lines());
  }
}
