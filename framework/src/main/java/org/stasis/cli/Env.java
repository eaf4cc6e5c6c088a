package org.stasis.cli;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The environment the front ends read their defaults from (DMTCP's variables and ours); a value
 * so that option resolution can be tested without touching the real environment.
 */
public record Env(Map<String, String> vars) {

    public Env {
        vars = Map.copyOf(vars);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    /** {@code Env.of("A", "1", "B", "2")}. */
    public static Env of(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new Env(m);
    }

    /** The value, or null when unset or empty (DMTCP treats both alike). */
    public String get(String name) {
        String v = vars.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    public boolean isSet(String name) {
        return get(name) != null;
    }

    /** An integer variable; a malformed value is a usage error naming the variable. */
    public Integer integer(String name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw CliException.usage("invalid value '" + v + "' in environment variable " + name + ": not a number");
        }
    }

    /** A boolean variable: 1/yes/true/on is true, 0/no/false/off false; null when unset. */
    public Boolean flag(String name) {
        String v = get(name);
        if (v == null) {
            return null;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on":
                return true;
            case "0", "no", "false", "off":
                return false;
            default:
                throw CliException.usage("invalid value '" + v + "' in environment variable " + name + ": use 0 or 1");
        }
    }
}
