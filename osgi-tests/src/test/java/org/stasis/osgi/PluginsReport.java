package org.stasis.osgi;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.util.List;

/**
 * What {@code stasis plugins --json} printed, read back field by field (other fields are
 * ignored).
 *
 * @param plugins the built-in capture, then every plugin that loaded
 * @param problems the bundles that did not
 * @param json the text it was read from, for failure messages
 */
record PluginsReport(List<Plugin> plugins, List<Problem> problems, String json) {

    /** One listed plugin; {@code file} is null for the built-in capture. */
    record Plugin(String name, String version, boolean enabled, String decidedBy, String file) {}

    /** One bundle that did not load. */
    record Problem(String file, String message) {}

    /** The two lists as the JSON has them. */
    private record Raw(List<Plugin> plugins, List<Problem> problems) {}

    PluginsReport {
        plugins = List.copyOf(plugins);
        problems = List.copyOf(problems);
    }

    static PluginsReport parse(String json) {
        Raw raw;
        try {
            raw = new Gson().fromJson(json, Raw.class);
        } catch (JsonParseException e) {
            throw new AssertionError("not the JSON of stasis plugins: " + json, e);
        }
        if (raw == null || raw.plugins() == null || raw.problems() == null) {
            throw new AssertionError("no plugins or problems list in: " + json);
        }
        return new PluginsReport(raw.plugins(), raw.problems(), json);
    }

    /** The listed plugin of that name; fails the test when there is none. */
    Plugin plugin(String name) {
        return plugins.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("stasis plugins does not list " + name + ": " + json));
    }

    /** The names listed, built-in capture included, in order. */
    List<String> names() {
        return plugins.stream().map(Plugin::name).toList();
    }

    /** The problem messages, in order. */
    List<String> problemMessages() {
        return problems.stream().map(Problem::message).toList();
    }
}
