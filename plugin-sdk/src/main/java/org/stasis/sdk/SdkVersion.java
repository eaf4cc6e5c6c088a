package org.stasis.sdk;

import java.util.Optional;

/**
 * A version of this SDK, {@code major.minor}.
 *
 * <p>The rule: a plugin declares the SDK version it was built against in its manifest
 * ({@code Stasis-Sdk-Version: 1.0}). The host accepts it when the majors are equal and the
 * plugin's minor is not newer than the host's: minors only add (new default methods, new value
 * types, new event constants), so a plugin built against 1.0 runs on a 1.3 host, but a plugin
 * built against 1.3 may call what a 1.0 host lacks. A different major is never accepted. See
 * {@code docs/plugins-sdk-versioning.md}.
 *
 * @param major incompatible changes
 * @param minor compatible additions
 */
public record SdkVersion(int major, int minor) implements Comparable<SdkVersion> {

    /** The SDK this copy of the API is; the OSGi export version of {@code org.stasis.sdk} agrees. */
    public static final SdkVersion CURRENT = new SdkVersion(1, 0);

    /** The manifest header a plugin bundle declares its SDK version in. */
    public static final String MANIFEST_HEADER = "Stasis-Sdk-Version";

    /**
     * Checks the values.
     *
     * @param major the major version
     * @param minor the minor version
     * @throws IllegalArgumentException when a part is negative
     */
    public SdkVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("negative SDK version " + major + "." + minor);
        }
    }

    /**
     * Parses {@code 1}, {@code 1.2} or {@code 1.2.3} (a micro part, as OSGi versions have, is
     * ignored: it never changes the API).
     *
     * @param text the version text, e.g. a manifest header's value
     * @return the version
     * @throws IllegalArgumentException naming the text when it is not a version
     */
    public static SdkVersion parse(String text) {
        if (text == null || !text.trim().matches("\\d{1,6}(\\.\\d{1,6}){0,2}")) {
            throw new IllegalArgumentException("'" + text + "' is not an SDK version (expected e.g. 1.0)");
        }
        String[] parts = text.trim().split("\\.");
        return new SdkVersion(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
    }

    /**
     * Why this host SDK refuses a plugin built against {@code plugin}, or empty when it accepts it.
     * The message is meant to follow "plugin X (file): ".
     *
     * @param plugin the SDK version the plugin was built against
     * @return the reason, or empty
     */
    public Optional<String> refusal(SdkVersion plugin) {
        if (plugin.major != major) {
            return Optional.of("built against SDK " + plugin + ", which is incompatible with this Stasis's SDK "
                    + this + " (the major versions differ)");
        }
        if (plugin.minor > minor) {
            return Optional.of("built against SDK " + plugin + ", newer than this Stasis's SDK " + this
                    + " (upgrade Stasis, or use a build of the plugin for SDK " + major + "." + minor + ")");
        }
        return Optional.empty();
    }

    /**
     * Whether this host accepts a plugin built against {@code plugin}.
     *
     * @param plugin the SDK version the plugin was built against
     * @return true when {@link #refusal} is empty
     */
    public boolean accepts(SdkVersion plugin) {
        return refusal(plugin).isEmpty();
    }

    @Override
    public int compareTo(SdkVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
