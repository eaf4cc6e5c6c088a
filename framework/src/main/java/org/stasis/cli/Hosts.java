package org.stasis.cli;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Host names and addresses as the agent needs them (it cannot resolve names: numeric IPv4 only). */
public final class Hosts {

    private Hosts() {}

    /** The kernel's node name, like gethostname(2). */
    public static String localHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** Whether {@code host} names this machine (a coordinator can only be started here). */
    public static boolean isLocal(String host) {
        if (host == null || host.isBlank()) {
            return true;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("localhost.localdomain") || h.startsWith("127.") || h.equals("::1")) {
            return true;
        }
        String local = localHostName().toLowerCase(Locale.ROOT);
        int dot = local.indexOf('.');
        if (h.equals(local) || (dot > 0 && h.equals(local.substring(0, dot)))) {
            return true;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host.trim())) {
                if (a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null) {
                    return true;
                }
            }
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
        return false;
    }

    /** The numeric IPv4 address of {@code host}; local aliases give 127.0.0.1. */
    public static String numericIPv4(String host) {
        String h = host == null ? "" : host.trim();
        if (h.isEmpty() || h.equalsIgnoreCase("localhost")) {
            return "127.0.0.1";
        }
        if (h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return h;
        }
        try {
            InetAddress[] all = InetAddress.getAllByName(h);
            for (InetAddress a : all) {
                if (a instanceof Inet4Address) {
                    return a.getHostAddress();
                }
            }
            for (InetAddress a : all) {
                if (a.isLoopbackAddress()) {
                    return "127.0.0.1";
                }
            }
        } catch (UnknownHostException e) {
            throw new CliException("cannot resolve the coordinator host '" + h + "' (unknown host)");
        }
        throw new CliException("the coordinator host '" + h + "' has no IPv4 address (the checkpoint agent needs one)");
    }
}
