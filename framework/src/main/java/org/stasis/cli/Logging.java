package org.stasis.cli;

/**
 * SLF4J (slf4j-simple) settings. They only take effect before the first logger is created, so
 * Main calls {@link #init} first thing and the coordinator may {@link #level} before it starts.
 * Settings given by the user with -D (STASIS_JAVA_OPTS) win.
 */
public final class Logging {

    private static final String P = "org.slf4j.simpleLogger.";
    private static boolean levelFromUser;

    private Logging() {}

    public static boolean debug() {
        String d = System.getenv("STASIS_DEBUG");
        return d != null && !d.isEmpty() && !d.equals("0");
    }

    /** Front ends are quiet (warnings only) unless STASIS_DEBUG=1. */
    public static void init() {
        levelFromUser = System.getProperty(P + "defaultLogLevel") != null;
        setIfAbsent(P + "defaultLogLevel", debug() ? "debug" : "warn");
        setIfAbsent(P + "showDateTime", "true");
        setIfAbsent(P + "dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
        setIfAbsent(P + "showThreadName", "false");
        setIfAbsent(P + "showShortLogName", "true");
        setIfAbsent(P + "levelInBrackets", "true");
        setIfAbsent(P + "logFile", "System.err");
    }

    /** Sets the default level (unless the user or STASIS_DEBUG chose one). */
    public static void level(String level) {
        if (!levelFromUser && !debug()) {
            System.setProperty(P + "defaultLogLevel", level);
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
