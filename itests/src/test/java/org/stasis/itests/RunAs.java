package org.stasis.itests;

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
  UNPRIVILEGED
}
