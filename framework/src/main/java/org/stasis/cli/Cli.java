package org.stasis.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/** Builds the picocli command line of each front end and turns outcomes into exit codes. */
public final class Cli {

    public static final List<String> PROGRAMS =
            List.of("dmtcp_coordinator", "dmtcp_launch", "dmtcp_restart", "dmtcp_command", "stasis");

    private Cli() {}

    /** The command line for a program name; unknown names get the {@code stasis} front end. */
    public static CommandLine build(String prog) {
        return build(prog, PluginSources.system());
    }

    /** The same, with launch and restart finding plugins in {@code sources}. */
    static CommandLine build(String prog, PluginSources sources) {
        CommandLine cl = switch (prog) {
            case "dmtcp_coordinator" -> new CommandLine(new CoordinatorCommand());
            case "dmtcp_launch" -> new CommandLine(new LaunchCommand(sources)).setStopAtPositional(true);
            case "dmtcp_restart" -> new CommandLine(new RestartCommand(sources));
            case "dmtcp_command" -> new CommandLine(new CommandCommand());
            default -> stasis(sources);
        };
        cl.setCommandName(PROGRAMS.contains(prog) ? prog : "stasis");
        configure(cl);
        return cl;
    }

    private static CommandLine stasis(PluginSources sources) {
        CommandLine cl = new CommandLine(new StasisCommand());
        cl.addSubcommand("launch", new CommandLine(new LaunchCommand(sources)).setCommandName("launch").setStopAtPositional(true));
        cl.addSubcommand("restart", new CommandLine(new RestartCommand(sources)).setCommandName("restart"));
        cl.addSubcommand("coordinator", new CommandLine(new CoordinatorCommand()).setCommandName("coordinator"));
        cl.addSubcommand("command", new CommandLine(new CommandCommand()).setCommandName("command"));
        cl.addSubcommand("checkpoint", new CommandLine(new CheckpointCommand()).setCommandName("checkpoint"));
        cl.addSubcommand("status", new CommandLine(new StatusCommand()).setCommandName("status"));
        cl.addSubcommand("inspect", new CommandLine(new InspectCommand()).setCommandName("inspect"));
        cl.addSubcommand("plugins", new CommandLine(new PluginsCommand()).setCommandName("plugins"));
        cl.addSubcommand("demo", new CommandLine(new DemoCommand()).setCommandName("demo"));
        return cl;
    }

    private static void configure(CommandLine cl) {
        // An argument starting with '@' is the user's (dmtcp_launch mail @alice, a file name),
        // never a picocli argument file to expand: DMTCP has no such thing, and the launch fast
        // path passes such arguments on as they are.
        cl.setExpandAtFiles(false);
        cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
        cl.setUsageHelpWidth(100);
        cl.setUsageHelpLongOptionsMaxWidth(28);
        // Headers only label verbs in "stasis --help"; a command's own help starts with "Usage:".
        List<String> keys = new java.util.ArrayList<>(cl.getHelpSectionKeys());
        keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING);
        keys.remove(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER);
        cl.setHelpSectionKeys(keys);
        cl.setParameterExceptionHandler(PARAMETER_ERRORS);
        cl.setExecutionExceptionHandler(EXECUTION_ERRORS);
        for (CommandLine sub : cl.getSubcommands().values()) {
            configure(sub);
        }
    }

    /** Unknown option, missing value...: one line, a short usage, exit 2. */
    static final IParameterExceptionHandler PARAMETER_ERRORS = (ParameterException ex, String[] args) -> {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName(" ");
        err.println(name + ": " + ex.getMessage());
        Help help = cl.getHelp();
        err.print("Usage: " + help.synopsis(0));
        err.println("Try '" + name + " --help' for more information.");
        err.flush();
        return CliException.USAGE;
    };

    /** Failures while running: CliException as one line with its exit code, others as one line + exit 1. */
    static final IExecutionExceptionHandler EXECUTION_ERRORS = (ex, cl, parseResult) -> {
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName(" ");
        if (ex instanceof CliException ce) {
            return report(ce, cl);
        }
        String msg = ex.getMessage();
        err.println(name + ": unexpected error: " + ex.getClass().getSimpleName() + (msg == null ? "" : ": " + msg)
                + (Logging.debug() ? "" : " (set STASIS_DEBUG=1 for details)"));
        if (Logging.debug()) {
            ex.printStackTrace(err);
        }
        err.flush();
        return CliException.FAILURE;
    };

    /** A CliException as one line (and a hint for usage errors); returns its exit code. */
    static int report(CliException ce, CommandLine cl) {
        PrintWriter err = cl.getErr();
        String name = cl.getCommandSpec().qualifiedName(" ");
        err.println(name + ": " + ce.getMessage());
        if (Logging.debug() && ce.getCause() != null) {
            ce.getCause().printStackTrace(err);
        }
        if (ce.exitCode() == CliException.USAGE) {
            err.println("Try '" + name + " --help' for more information.");
        }
        err.flush();
        return ce.exitCode();
    }

    /** Parses and runs; returns the exit code. */
    public static int run(String prog, String[] args) {
        return run(prog, args, System.out, System.err);
    }

    public static int run(String prog, String[] args, PrintStream out, PrintStream err) {
        return run(prog, args, out, err, PluginSources.system());
    }

    static int run(String prog, String[] args, PrintStream out, PrintStream err, PluginSources sources) {
        CommandLine cl = build(prog, sources);
        cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        // DMTCP prints help for a lone -h (which is --coord-host otherwise).
        if (prog.startsWith("dmtcp_") && args.length == 1 && args[0].equals("-h")) {
            args = new String[] {"--help"};
        }
        CommandLine target = cl;
        List<String> targetArgs = List.of(args);
        if (!(cl.getCommand() instanceof PluginCommand) && args.length > 0 && cl.getSubcommands().containsKey(args[0])) {
            target = cl.getSubcommands().get(args[0]);
            targetArgs = targetArgs.subList(1, args.length);
        }
        if (!(target.getCommand() instanceof PluginCommand command)) {
            return cl.execute(args);
        }
        try (CommandPlugins plugins = command.loadedPlugins()) {
            plugins.prepare(target.getCommandSpec(),
                    command.withPluginsBeforeParsing(targetArgs, target.getCommandSpec(), sources.env()),
                    command.flagsBeforeParsing(targetArgs, target.getCommandSpec(), sources.env()), sources.env());
            return cl.execute(args);
        } catch (CliException e) {
            // Loading failed before picocli took over: reported as its handler would.
            return report(e, target);
        }
    }
}
