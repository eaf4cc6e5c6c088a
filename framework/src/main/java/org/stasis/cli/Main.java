package org.stasis.cli;

import java.util.Set;
import org.stasis.mtcp.Exec;
import org.stasis.mtcp.NativeText;

/**
 * Entry point of every front end. The bin/ scripts run
 * {@code java -Dstasis.prog=<script name> -Dstasis.home=<installation> org.stasis.cli.Main "$@"}.
 */
public final class Main {

    /** Front ends that end by replacing the JVM with a program (see Exec). */
    private static final Set<String> EXEC_VERBS = Set.of("launch", "restart");

    private Main() {}

    private static boolean willExec(String prog, String[] args) {
        if (prog.equals("dmtcp_launch") || prog.equals("dmtcp_restart")) {
            return true;
        }
        return prog.equals("stasis") && args.length > 0 && EXEC_VERBS.contains(args[0]);
    }

    public static void main(String[] args) {
        Logging.init();
        NativeText.registerMainArgs(args);
        String prog = System.getProperty("stasis.prog", "stasis");
        if (willExec(prog, args)) {
            Exec.prepareInBackground();
        }
        int rc;
        try {
            rc = Cli.run(prog, args);
        } catch (Throwable t) { // picocli handles exceptions of commands; this is for the rest
            System.err.println(prog + ": unexpected error: " + t
                    + (Logging.debug() ? "" : " (set STASIS_DEBUG=1 for details)"));
            if (Logging.debug()) {
                t.printStackTrace();
            }
            rc = CliException.FAILURE;
        }
        System.out.flush();
        System.err.flush();
        System.exit(rc);
    }
}
