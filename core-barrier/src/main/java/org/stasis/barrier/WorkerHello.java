package org.stasis.barrier;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker says about itself in its HELLO (protocol.md, "Worker HELLO").
 *
 * @param plugins the plugins enabled for the worker, in plugin order
 * @param bundles absolute plugin bundle paths the worker's launch was given, in order
 * @param scriptEnv variables its launch's plugins want the restart script to export, in order
 */
record WorkerHello(
        String upid,
        String pid,
        String host,
        String program,
        boolean restart,
        int generation,
        String compid,
        int peers,
        String image,
        List<String> plugins,
        List<Path> bundles,
        Map<String, String> scriptEnv) {

    WorkerHello {
        plugins = List.copyOf(plugins);
        bundles = List.copyOf(bundles);
        // Map.copyOf would lose the order the plugins gave, which the script keeps.
        scriptEnv = Collections.unmodifiableMap(new LinkedHashMap<>(scriptEnv));
    }

    static WorkerHello parse(Message hello) throws ProtocolException {
        String upid = hello.get("upid", "").trim();
        if (upid.isEmpty()) {
            throw new ProtocolException("worker HELLO without upid");
        }
        boolean restart = "1".equals(hello.get("restart"));
        String compid = hello.get("compid", "").trim();
        if (restart && compid.isEmpty()) {
            throw new ProtocolException("restarted worker did not say which computation it belongs to");
        }
        return new WorkerHello(
                upid,
                hello.get("pid", "?"),
                hello.get("host", "?"),
                hello.get("program", "?"),
                restart,
                restart ? number(hello, "generation") : 0,
                compid,
                restart ? number(hello, "peers") : 0,
                hello.get("image", ""),
                plugins(hello.get("plugins", "")),
                bundles(hello.get("bundles", "")),
                scriptEnv(hello.get("script_env", "")));
    }

    private static List<String> plugins(String value) throws ProtocolException {
        List<String> out = new ArrayList<>();
        for (String name : value.split(":")) {
            if (name.isEmpty() || out.contains(name)) {
                continue;
            }
            if (!name.matches("[a-z][a-z0-9-]*")) {
                throw new ProtocolException("plugins: '" + name + "' is not a plugin name");
            }
            out.add(name);
        }
        return out;
    }

    private static List<Path> bundles(String value) throws ProtocolException {
        List<Path> out = new ArrayList<>();
        for (String entry : value.split(":")) {
            if (entry.isEmpty()) {
                continue;
            }
            // The coordinator runs elsewhere than the launch, so a relative path would name another file.
            if (!entry.startsWith("/")) {
                throw new ProtocolException("bundles: '" + entry + "' is not an absolute path");
            }
            Path p;
            try {
                p = Path.of(entry).normalize();
            } catch (InvalidPathException e) {
                throw new ProtocolException("bundles: '" + entry + "' is not a path");
            }
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static Map<String, String> scriptEnv(String value) throws ProtocolException {
        try {
            return ScriptEnvironment.decode(value);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("script_env: " + e.getMessage());
        }
    }

    private static int number(Message m, String key) throws ProtocolException {
        String value = m.get(key, "0");
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 0) {
                throw new ProtocolException(key + " must not be negative: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ProtocolException(key + " is not a number: " + value);
        }
    }
}
