package org.stasis.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Who runs the commands and programs of a test. Every end-to-end test runs once per constant.
 *
 * <p>{@link #UNPRIVILEGED} needs the tests to run as root and an account named by the system
 * property {@code stasis.itest.user} (default {@code stasis-test}); otherwise that variant is
 * skipped with an assumption message. It matters because root bypasses file permissions and
 * resource checks that an ordinary user meets.
 */
public enum RunAs {
  CURRENT_USER,
  UNPRIVILEGED;

  /** Arguments (case, account) for a parameterized test: every case, run by each account. */
  static Stream<Arguments> eachCase(List<?> cases) {
    List<Arguments> all = new ArrayList<>();
    for (Object c : cases) {
      for (RunAs who : values()) {
        all.add(Arguments.of(c, who));
      }
    }
    return all.stream();
  }
}
