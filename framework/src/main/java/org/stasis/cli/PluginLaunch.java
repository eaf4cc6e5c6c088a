package org.stasis.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the enabled plugins add to a launched program: their native halves, preloaded after the
 * agent in plugin order, and environment variables (plugin options handed to a native half).
 * This is the whole result of plugin resolution for a launch, so it is also what a cached launch
 * plan stores.
 *
 * @param nativeNames plugin names of the native halves, in plugin order
 * @param preloads the native halves' shared objects, same order as {@code nativeNames}
 * @param env variables to set in the program's environment
 */
public record PluginLaunch(List<String> nativeNames, List<Path> preloads, Map<String, String> env) {

    public static final PluginLaunch NONE = new PluginLaunch(List.of(), List.of(), Map.of());

    public PluginLaunch {
        nativeNames = List.copyOf(nativeNames);
        preloads = List.copyOf(preloads);
        env = Map.copyOf(env);
        if (nativeNames.size() != preloads.size()) {
            throw new IllegalArgumentException("one preload per native plugin");
        }
    }
}
