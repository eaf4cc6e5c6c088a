package org.stasis.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stasis checkpoint}: a blocking checkpoint (dmtcp_command -bc). */
@Command(name = "checkpoint",
        header = "Checkpoint now and wait until the images are on disk (dmtcp_command -bc).",
        description = {"Checkpoint the computation and wait until its images are durable",
            "(same as dmtcp_command --bcheckpoint)."},
        sortOptions = false, versionProvider = VersionProvider.class)
public class CheckpointCommand implements Callable<Integer> {

    @Mixin
    CoordinatorAddress address = new CoordinatorAddress();

    @Option(names = "--kill", description = "Kill the processes once the checkpoint is complete (--kcheckpoint).")
    boolean kill;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Override
    public Integer call() {
        Env env = Env.system();
        String host = address.host(env);
        int port = address.port(env);
        return CommandEngine.run(host, port, List.of(CommandEngine.Request.of(kill ? "kcheckpoint" : "bcheckpoint")),
                json, true, System.out, CommandEngine.remote(host, port));
    }
}
