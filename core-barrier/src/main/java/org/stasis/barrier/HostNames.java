package org.stasis.barrier;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The local host's name, read the way the C agent reads it, so both sides agree on file names. */
final class HostNames {

    private HostNames() {}

    /** Like gethostname(2): the kernel's node name, not whatever DNS thinks. */
    static String localHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | SecurityException e) {
            // Not Linux, or /proc hidden: fall through to the JDK's view.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static String shortName(String host) {
        int dot = host.indexOf('.');
        return dot > 0 ? host.substring(0, dot) : host;
    }

    static String localShortHostName() {
        return shortName(localHostName());
    }

    /**
     * The short name of the host a client means by {@code coordHost}: local aliases map to this
     * host; an IP address is looked up since cutting it at the first dot would be nonsense.
     */
    static String shortNameOf(String coordHost) {
        if (coordHost == null || coordHost.isBlank()) {
            return localShortHostName();
        }
        String host = coordHost.trim();
        String lower = host.toLowerCase(Locale.ROOT);
        String local = localHostName().toLowerCase(Locale.ROOT);
        if (lower.equals("localhost") || lower.equals("127.0.0.1") || lower.equals("::1")
                || lower.equals(local) || lower.equals(shortName(local))) {
            return localShortHostName();
        }
        if (isIpLiteral(host)) {
            try {
                InetAddress address = InetAddress.getByName(host);
                if (address.isLoopbackAddress() || NetworkInterface.getByInetAddress(address) != null) {
                    return localShortHostName();
                }
                String name = address.getCanonicalHostName();
                return isIpLiteral(name) ? name : shortName(name);
            } catch (UnknownHostException | SocketException e) {
                return host;
            }
        }
        return shortName(host);
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9]+(\\.[0-9]+){3}");
    }
}
