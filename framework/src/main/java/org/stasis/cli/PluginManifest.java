package org.stasis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.stream.Collectors;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.stasis.sdk.PluginInfo;
import org.stasis.sdk.SdkVersion;

/**
 * What a plugin bundle's manifest says, checked: everything Stasis needs to know of a plugin
 * without an OSGi framework (which {@link PluginHost} then installs it into, when its Java half
 * is wanted).
 *
 * @param plugin name, version, default, file, origin, native half
 * @param javaHooks the Java hooks the bundle declares ({@value #HEADER_JAVA_HOOKS}); all of
 *     {@link #ALL_HOOKS} when it does not say, none when it has no Bundle-Activator
 */
public record PluginManifest(InstalledPlugin plugin, Set<String> javaHooks) {

    static final String HEADER_NAME = "Stasis-Plugin-Name";
    static final String HEADER_DEFAULT = "Stasis-Default-Enabled";
    static final String HEADER_ALIASES = "Stasis-Plugin-Aliases";
    /** Which hooks of its Java half a plugin implements, so that a command that calls none of them need not start Felix. */
    public static final String HEADER_JAVA_HOOKS = "Stasis-Java-Hooks";
    public static final String HOOK_OPTIONS = "options";
    public static final String HOOK_LAUNCH = "launch";
    public static final String HOOK_RESTART = "restart";
    public static final String HOOK_CHECKPOINT_COMPLETE = "checkpoint-complete";
    public static final String HOOK_RESTART_SCRIPT = "restart-script";
    public static final Set<String> ALL_HOOKS =
            Set.of(HOOK_OPTIONS, HOOK_LAUNCH, HOOK_RESTART, HOOK_CHECKPOINT_COMPLETE, HOOK_RESTART_SCRIPT);

    public PluginManifest {
        javaHooks = Set.copyOf(javaHooks);
    }

    /** A manifest Stasis cannot use; the message follows "FILE: ". */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** Reads and checks the manifest of a jar file or exploded bundle folder. */
    static PluginManifest read(Path file, String origin) throws Invalid {
        if (!Files.exists(file)) {
            throw new Invalid("no such file or directory");
        }
        Attributes m;
        try {
            m = BundleManifest.read(file);
        } catch (IOException e) {
            throw new Invalid("not an OSGi bundle (cannot read it as a jar file: " + LocalCoordinatorOps.describe(e) + ")");
        }
        String bsn = m == null ? null : m.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (bsn == null) {
            throw new Invalid("not an OSGi bundle (no Bundle-SymbolicName in "
                    + (Files.isDirectory(file) ? "META-INF/MANIFEST.MF" : "its manifest") + ")");
        }
        bsn = bsn.split(";")[0].trim();
        String name = m.getValue(HEADER_NAME);
        if (name == null) {
            throw new Invalid("bundle " + bsn + " is not a Stasis plugin (no " + HEADER_NAME + " header)");
        }
        name = name.trim();
        if (!PluginInfo.isValidName(name)) {
            throw new Invalid("invalid " + HEADER_NAME + " '" + name
                    + "' (lower case letters, digits and dashes, starting with a letter)");
        }
        String sdkText = m.getValue(SdkVersion.MANIFEST_HEADER);
        if (sdkText == null) {
            throw new Invalid("plugin " + name + " does not say which SDK it was built against (no "
                    + SdkVersion.MANIFEST_HEADER + " header)");
        }
        SdkVersion sdk;
        try {
            sdk = SdkVersion.parse(sdkText);
        } catch (IllegalArgumentException e) {
            throw new Invalid("plugin " + name + ": " + SdkVersion.MANIFEST_HEADER + " " + e.getMessage());
        }
        String refusal = SdkVersion.CURRENT.refusal(sdk).orElse(null);
        if (refusal != null) {
            throw new Invalid("plugin " + name + " " + refusal);
        }
        String def = m.getValue(HEADER_DEFAULT);
        boolean defaultEnabled;
        if (def == null || def.trim().equalsIgnoreCase("false")) {
            defaultEnabled = false;
        } else if (def.trim().equalsIgnoreCase("true")) {
            defaultEnabled = true;
        } else {
            throw new Invalid("plugin " + name + ": " + HEADER_DEFAULT + " must be true or false, not '" + def.trim() + "'");
        }
        List<String> nativeCode;
        try {
            nativeCode = NativeCode.select(m.getValue(NativeCode.HEADER));
        } catch (IllegalArgumentException e) {
            throw new Invalid("plugin " + name + ": " + e.getMessage());
        }
        String version;
        try {
            version = Version.parseVersion(m.getValue(Constants.BUNDLE_VERSION)).toString();
        } catch (IllegalArgumentException e) {
            throw new Invalid("plugin " + name + ": Bundle-Version " + e.getMessage());
        }
        List<String> aliases = new java.util.ArrayList<>();
        for (String a : Objects.requireNonNullElse(m.getValue(HEADER_ALIASES), "").split(",")) {
            String alias = a.trim();
            if (alias.isEmpty()) {
                continue;
            }
            if (!PluginInfo.isValidName(alias) || alias.equals(name)) {
                throw new Invalid("plugin " + name + ": invalid name '" + alias + "' in " + HEADER_ALIASES
                        + " (lower case letters, digits and dashes, starting with a letter; not the plugin's own)");
            }
            aliases.add(alias);
        }
        InstalledPlugin p = new InstalledPlugin(new PluginDescriptor(name, version, defaultEnabled, aliases), bsn, sdk,
                file, origin, nativeCode);
        return new PluginManifest(p, javaHooks(name, m));
    }

    private static Set<String> javaHooks(String name, Attributes m) throws Invalid {
        if (m.getValue(Constants.BUNDLE_ACTIVATOR) == null) {
            return Set.of(); // no Java half (Stasis plugins register their service from an activator)
        }
        String declared = m.getValue(HEADER_JAVA_HOOKS);
        if (declared == null) {
            return ALL_HOOKS;
        }
        Set<String> hooks = Arrays.stream(declared.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty() && !s.equals("none")).collect(Collectors.toSet());
        for (String h : hooks) {
            if (!ALL_HOOKS.contains(h)) {
                throw new Invalid("plugin " + name + ": " + HEADER_JAVA_HOOKS + " names '" + h + "'; known: none, "
                        + String.join(", ", ALL_HOOKS.stream().sorted().toList()));
            }
        }
        return hooks;
    }
}
