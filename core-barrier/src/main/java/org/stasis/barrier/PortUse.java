package org.stasis.barrier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Says who holds a TCP port the coordinator could not bind, from /proc/net/tcp and tcp6. The
 * distinction matters to a user: a listener is another coordinator or server, to be stopped or
 * avoided; anything else is the local end of a connection, a port Linux lent out from
 * net.ipv4.ip_local_port_range (32768-60999 by default), which job scripts that draw a random
 * port from such a range will hit now and then.
 */
final class PortUse {
    /** The kernel's TCP_LISTEN state, as /proc/net/tcp prints it. */
    private static final String LISTEN = "0A";

    private PortUse() {}

    /** The message for a port that is in use; {@code tables} are /proc/net/tcp-style files. */
    static String explain(int port, List<Path> tables) {
        boolean listener = false;
        boolean other = false;
        for (Path table : tables) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue; // no IPv6, or no /proc: fall back to the plain message
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length < 4 || localPort(fields[1]) != port) {
                    continue;
                }
                if (LISTEN.equals(fields[3])) {
                    listener = true;
                } else {
                    other = true;
                }
            }
        }
        if (listener) {
            return "port " + port + " is already in use by another program or coordinator";
        }
        if (other) {
            return "port " + port + " is taken by the local end of a connection (Linux lends the ports of "
                    + localRange() + " to outgoing connections); choose a port outside that range";
        }
        return "port " + port + " is already in use by another program or coordinator";
    }

    static String explain(int port) {
        return explain(port, List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    /** "0100007F:9DF0" to 40432; -1 when the field is not an address. */
    private static int localPort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(address.substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String localRange() {
        try {
            String[] bounds = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return "net.ipv4.ip_local_port_range, " + bounds[0] + "-" + bounds[bounds.length - 1] + ",";
        } catch (IOException | RuntimeException e) {
            return "net.ipv4.ip_local_port_range";
        }
    }
}
