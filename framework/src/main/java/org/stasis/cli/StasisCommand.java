package org.stasis.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stasis <verb>}: the native front end; the verbs are the same engine as the DMTCP commands. */
@Command(name = "stasis",
        description = {"Transparent checkpoint/restart for unmodified Linux programs.",
            "The DMTCP commands (dmtcp_launch, dmtcp_restart, dmtcp_coordinator, dmtcp_command) are the",
            "same as the verbs launch, restart, coordinator and command."},
        synopsisSubcommandLabel = "<verb>",
        versionProvider = VersionProvider.class,
        footer = {"", "Run 'stasis <verb> --help' for the options of a verb."})
public class StasisCommand implements Runnable {

    @Option(names = "--help", usageHelp = true, description = "Print this message and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print version information and exit.")
    boolean version;

    @Override
    public void run() {
        throw CliException.usage("missing verb (launch, restart, coordinator, command, checkpoint, status, inspect,"
                + " plugins, demo)");
    }
}
