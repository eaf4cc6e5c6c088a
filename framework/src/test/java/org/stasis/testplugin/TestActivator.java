package org.stasis.testplugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.GenerationContext;
import org.stasis.sdk.LaunchContext;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.PluginOption;
import org.stasis.sdk.RestartContext;
import org.stasis.sdk.StasisPlugin;

/**
 * Packed into throw-away bundles by the tests; registers a plugin named after its bundle header,
 * whose behaviour other headers set (the bundle's classes are not the test's, so it reports
 * through a file):
 * <ul>
 *   <li>{@code Test-Options}: {@code name|label|description|default} entries separated by
 *       {@code ;} (an empty label makes a flag, an empty default none);</li>
 *   <li>{@code Test-Script-Env}: {@code NAME=value} entries separated by {@code ;};</li>
 *   <li>{@code Test-Fail}: the hook that throws ({@code onLaunch}, {@code onRestart},
 *       {@code onCheckpointComplete}, {@code options});</li>
 *   <li>{@code Test-Record}: a file each hook appends one line to: plugin, hook, what it got.</li>
 * </ul>
 */
public class TestActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        Dictionary<String, String> h = context.getBundle().getHeaders();
        String name = h.get("Stasis-Plugin-Name");
        if ("explodes".equals(name)) {
            throw new IllegalStateException("the test plugin refuses to start");
        }
        String version = context.getBundle().getVersion().toString();
        context.registerService(StasisPlugin.class, new Configured(name, version, h.get("Test-Options"),
                h.get("Test-Script-Env"), h.get("Test-Fail"), h.get("Test-Record")), null);
    }

    @Override
    public void stop(BundleContext context) {}

    private record Configured(String name, String version, String optionSpec, String scriptEnv, String fail,
            String record) implements StasisPlugin {

        @Override
        public PluginInfo info() {
            return new PluginInfo(name, version, "test plugin");
        }

        @Override
        public List<PluginOption> options() {
            failIf("options");
            List<PluginOption> out = new ArrayList<>();
            if (optionSpec != null) {
                for (String entry : optionSpec.split(";")) {
                    String[] f = entry.split("\\|", -1);
                    out.add(new PluginOption(f[0], f[1].isEmpty() ? null : f[1], f[2], f[3].isEmpty() ? null : f[3]));
                }
            }
            return out;
        }

        @Override
        public Map<String, String> restartScriptEnvironment() {
            Map<String, String> out = new LinkedHashMap<>();
            if (scriptEnv != null) {
                for (String entry : scriptEnv.split(";")) {
                    int eq = entry.indexOf('=');
                    out.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            return out;
        }

        @Override
        public void onLaunch(LaunchContext c) {
            record("onLaunch " + c.program() + " " + c.args() + " " + c.checkpointDir() + " " + c.options());
            failIf("onLaunch");
        }

        @Override
        public void onRestart(RestartContext c) {
            record("onRestart " + c.images() + " " + c.checkpointDir() + " " + c.options());
            failIf("onRestart");
        }

        @Override
        public void onCheckpointComplete(GenerationContext c) {
            record("onCheckpointComplete " + c.computationId() + " " + c.generation() + " " + c.checkpointDir() + " "
                    + c.images());
            failIf("onCheckpointComplete");
        }

        private void failIf(String hook) {
            if (hook.equals(fail)) {
                throw new IllegalStateException("the test plugin " + name + " fails in " + hook);
            }
        }

        private void record(String line) {
            if (record == null) {
                return;
            }
            try {
                Files.writeString(Path.of(record), name + " " + line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
