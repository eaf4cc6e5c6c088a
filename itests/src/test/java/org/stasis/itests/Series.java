package org.stasis.itests;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of numbered progress line an example program prints; group 1 of the pattern is the
 * sequence number. Lines that do not match (messages from the commands, other kinds of lines)
 * are ignored.
 */
public record Series(String what, Pattern pattern) {

  /** count.c (" %2d"), count.py and Count.java: just the number. */
  public static final Series COUNT = new Series("count", Pattern.compile("^\\s*(\\d+)\\s*$"));

  /** threads.c: {@code round <n> total=<t>}. */
  public static final Series ROUND =
      new Series("round", Pattern.compile("^round (\\d+) total=(-?\\d+)$"));

  /** mixedmem.c: {@code tick <n> sum=<hex>}. */
  public static final Series TICK =
      new Series("tick", Pattern.compile("^tick (\\d+) sum=([0-9a-f]+)$"));

  /** sigwait.c main thread: {@code count <n> alarms=<a>}. */
  public static final Series SIG_COUNT =
      new Series("count", Pattern.compile("^count (\\d+) alarms=(\\d+)$"));

  /** procstate.c: {@code tick <n> usr2=<own SIGUSR2 handler runs> timer=<POSIX timer signals>}. */
  public static final Series STATE =
      new Series("tick", Pattern.compile("^tick (\\d+) usr2=(\\d+) timer=(\\d+)$"));

  /** sigwait.c reader thread: {@code got <n>}. */
  public static final Series GOT = new Series("got", Pattern.compile("^got (\\d+)$"));
  /** epollprog: a sequence number read back through the pipe its epoll watches. */
  public static final Series SEQ = new Series("seq", Pattern.compile("^seq (\\d+) ev=(\\d+)$"));
  /** deleted: a verified read of the file deleted while open. */
  public static final Series TICK_OK = new Series("tick", Pattern.compile("^tick (\\d+) ok$"));

  public List<Matcher> matches(List<String> lines) {
    List<Matcher> result = new ArrayList<>();
    for (String line : lines) {
      Matcher m = pattern.matcher(line);
      if (m.matches()) {
        result.add(m);
      }
    }
    return result;
  }

  /** The sequence numbers (group 1) in output order. */
  public List<Long> values(List<String> lines) {
    return group(lines, 1).stream().map(Long::parseLong).toList();
  }

  /** Any group of the matching lines, in output order. */
  public List<String> group(List<String> lines, int group) {
    return matches(lines).stream().map(m -> m.group(group)).toList();
  }

  public static long last(List<Long> values) {
    if (values.isEmpty()) {
      throw new AssertionError("no values yet");
    }
    return values.get(values.size() - 1);
  }
}
