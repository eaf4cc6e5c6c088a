package org.stasis.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stasis status}: the coordinator's status (dmtcp_command -s), optionally with the client list. */
@Command(name = "status",
        header = "Print the coordinator's status (dmtcp_command -s).", description = "Print the coordinator's status (same as dmtcp_command --status).",
        sortOptions = false, versionProvider = VersionProvider.class)
public class StatusCommand implements Callable<Integer> {

    @Mixin
    CoordinatorAddress address = new CoordinatorAddress();

    @Option(names = {"-l", "--list"}, description = "Also list the connected processes.")
    boolean list;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Override
    public Integer call() {
        Env env = Env.system();
        String host = address.host(env);
        int port = address.port(env);
        List<CommandEngine.Request> rq = list
                ? List.of(CommandEngine.Request.of("status"), CommandEngine.Request.of("list"))
                : List.of(CommandEngine.Request.of("status"));
        return CommandEngine.run(host, port, rq, json, true, System.out, CommandEngine.remote(host, port));
    }
}
