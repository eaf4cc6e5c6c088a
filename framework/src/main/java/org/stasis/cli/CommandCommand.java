package org.stasis.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dmtcp_command} / {@code stasis command}: send commands to a running coordinator. */
@Command(name = "dmtcp_command",
        customSynopsis = "${COMMAND-FULL-NAME} [OPTIONS] COMMAND [COMMAND...]",
        description = "Send a command to the coordinator remotely.",
        sortOptions = false,
        versionProvider = VersionProvider.class,
        footer = {"", "Commands can also be given as words: s, l, c, bc, kc, k, q, i <val>.",
            "Exit status: 0 on success, 1 if the coordinator cannot be reached or a command fails,",
            "2 on usage errors."})
public class CommandCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CoordinatorAddress address = new CoordinatorAddress();

    @Option(names = "--json", order = 3, description = "Print each result as one JSON object on stdout.")
    boolean json;

    @Option(names = "--help", usageHelp = true, order = 4, description = "Print this message and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, order = 5, description = "Print version information and exit.")
    boolean version;

    @Parameters(paramLabel = "COMMAND", hidden = true)
    List<String> words = new ArrayList<>();

    /** Requests from the command options, in command-line order (the setters below append). */
    private final List<CommandEngine.Request> optionRequests = new ArrayList<>();

    @Option(names = {"-s", "--status"}, order = 10, description = "Print status message")
    void status(boolean b) {
        optionRequests.add(CommandEngine.Request.of("status"));
    }

    @Option(names = {"-l", "--list"}, order = 11, description = "List connected clients")
    void list(boolean b) {
        optionRequests.add(CommandEngine.Request.of("list"));
    }

    @Option(names = {"-c", "--checkpoint"}, order = 12, description = "Checkpoint all nodes")
    void checkpoint(boolean b) {
        optionRequests.add(CommandEngine.Request.of("checkpoint"));
    }

    @Option(names = {"-bc", "--bcheckpoint"}, order = 13, description = "Checkpoint all nodes, blocking until done")
    void bcheckpoint(boolean b) {
        optionRequests.add(CommandEngine.Request.of("bcheckpoint"));
    }

    @Option(names = {"-kc", "--kcheckpoint"}, order = 14,
            description = "Checkpoint all nodes, blocking until done, then kill them")
    void kcheckpoint(boolean b) {
        optionRequests.add(CommandEngine.Request.of("kcheckpoint"));
    }

    @Option(names = {"-i", "--interval"}, paramLabel = "<val>", order = 15,
            description = "Update ckpt interval to <val> seconds (0=never)")
    void interval(int seconds) {
        optionRequests.add(new CommandEngine.Request("interval", seconds));
    }

    @Option(names = {"-k", "--kill"}, order = 16, description = "Kill all nodes (after a checkpoint in progress has ended)")
    void kill(boolean b) {
        optionRequests.add(CommandEngine.Request.of("kill"));
    }

    @Option(names = {"-q", "--quit"}, order = 17, description = "Kill all nodes and quit (after a checkpoint in progress has ended)")
    void quit(boolean b) {
        optionRequests.add(CommandEngine.Request.of("quit"));
    }

    /** The requests in command-line order: options first, then command words. */
    public List<CommandEngine.Request> requests() {
        List<CommandEngine.Request> out = new ArrayList<>(optionRequests);
        for (CommandEngine.Request r : out) {
            if (r.value() != null && r.value() < 0) {
                throw CliException.usage("invalid interval " + r.value() + " (seconds, 0 = never)");
            }
        }
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i).toLowerCase(Locale.ROOT).replaceFirst("^-+", "");
            String verb = switch (w) {
                case "s", "status" -> "status";
                case "l", "list" -> "list";
                case "c", "checkpoint" -> "checkpoint";
                case "bc", "bcheckpoint" -> "bcheckpoint";
                case "kc", "kcheckpoint" -> "kcheckpoint";
                case "k", "kill" -> "kill";
                case "q", "quit" -> "quit";
                case "i", "interval" -> "interval";
                default -> throw CliException.usage("unknown command '" + words.get(i) + "'");
            };
            if (verb.equals("interval")) {
                if (i + 1 >= words.size()) {
                    throw CliException.usage("interval needs a number of seconds");
                }
                int v;
                try {
                    v = Integer.parseInt(words.get(++i));
                } catch (NumberFormatException e) {
                    throw CliException.usage("invalid interval '" + words.get(i) + "' (seconds, 0 = never)");
                }
                if (v < 0) {
                    throw CliException.usage("invalid interval " + v + " (seconds, 0 = never)");
                }
                out.add(new CommandEngine.Request(verb, v));
            } else {
                out.add(CommandEngine.Request.of(verb));
            }
        }
        return out;
    }

    @Override
    public Integer call() {
        List<CommandEngine.Request> rq = requests();
        if (rq.isEmpty()) {
            throw CliException.usage("no command given (e.g. --status, --checkpoint, --bcheckpoint, --quit)");
        }
        Env env = Env.system();
        String host = address.host(env);
        int port = address.port(env);
        return CommandEngine.run(host, port, rq, json, !spec.qualifiedName().startsWith("dmtcp_"), System.out,
                CommandEngine.remote(host, port));
    }
}
