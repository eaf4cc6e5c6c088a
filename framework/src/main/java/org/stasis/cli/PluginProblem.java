package org.stasis.cli;

import java.nio.file.Path;

/**
 * A plugin bundle that could not be loaded; the others load regardless.
 *
 * @param file the jar file or folder
 * @param origin {@code bundles/} or {@code --with-plugin}
 * @param message one line, starting with the file
 */
public record PluginProblem(Path file, String origin, String message) {}
