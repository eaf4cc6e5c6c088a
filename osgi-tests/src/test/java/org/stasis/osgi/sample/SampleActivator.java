package org.stasis.osgi.sample;

import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.PluginOption;
import org.stasis.sdk.StasisPlugin;

/** The Java half of the sample plugin packed by {@link org.stasis.osgi.PluginServiceTest}. */
public class SampleActivator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        context.registerService(StasisPlugin.class, new StasisPlugin() {
            @Override
            public PluginInfo info() {
                return new PluginInfo("sample", context.getBundle().getVersion().toString(), "a sample plugin");
            }

            @Override
            public List<PluginOption> options() {
                return List.of(new PluginOption("--sample-level", "N", "How much sampling.", "1"));
            }

            @Override
            public Map<String, String> restartScriptEnvironment() {
                return Map.of("SAMPLE_LEVEL", "1");
            }
        }, null);
    }

    @Override
    public void stop(BundleContext context) {}
}
