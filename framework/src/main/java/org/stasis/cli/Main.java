package org.stasis.cli;

import org.stasis.mtcp.NativeText;

/**
 * Entry point of every front end. The bin/ scripts run
 * {@code java -Dstasis.prog=<script name> -Dstasis.home=<installation> org.stasis.cli.Main "$@"}.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        Logging.init();
        NativeText.registerMainArgs(args);
        String prog = System.getProperty("stasis.prog", "stasis");
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
