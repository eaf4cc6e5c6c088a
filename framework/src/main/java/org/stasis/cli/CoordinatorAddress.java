package org.stasis.cli;

import picocli.CommandLine.Option;

/** -h/--coord-host and -p/--coord-port of the command clients (dmtcp_command and the stasis verbs). */
public final class CoordinatorAddress {

    @Option(names = {"-h", "--coord-host"}, paramLabel = "HOSTNAME", order = 1,
            description = "Host where the coordinator runs (environment variable DMTCP_COORD_HOST) "
                + "(default: localhost)")
    String host;

    @Option(names = {"-p", "--coord-port"}, paramLabel = "PORT_NUM", order = 2,
            description = "Port where the coordinator runs (environment variable DMTCP_COORD_PORT) "
                + "(default: 7779)")
    Integer port;

    public String host(Env env) {
        return hostFrom(host, env);
    }

    /** The one rule for every front end: the option, else DMTCP_COORD_HOST, else localhost. */
    static String hostFrom(String option, Env env) {
        String h = option != null ? option : env.get("DMTCP_COORD_HOST");
        return h == null || h.isBlank() ? ConnectionOptions.DEFAULT_HOST : h.trim();
    }

    /** The option, else DMTCP_COORD_PORT, else null (callers decide the default and the range). */
    static Integer portFrom(Integer option, Env env) {
        return option != null ? option : env.integer("DMTCP_COORD_PORT");
    }

    public int port(Env env) {
        Integer p = portFrom(port, env);
        int v = p == null ? ConnectionOptions.DEFAULT_PORT : p;
        if (v <= 0 || v > 65535) {
            throw CliException.usage("invalid coordinator port " + v + " (use 1-65535)");
        }
        return v;
    }
}
