package org.stasis.plugins.files;

import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.StasisPlugin;

/**
 * The files plugin's Java half. The work happens in the native half (src/main/c/files.c),
 * inside each process: descriptors are recorded at PRECHECKPOINT, pipes drained and refilled,
 * and files, devices and pipes recreated at RESTART.
 */
public final class FilesPlugin implements StasisPlugin {

    private final String version;

    public FilesPlugin(String version) {
        this.version = version;
    }

    @Override
    public PluginInfo info() {
        return new PluginInfo("files", version, "open files, pipes (with data in flight) and devices");
    }
}
