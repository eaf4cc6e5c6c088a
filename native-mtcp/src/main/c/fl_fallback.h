/* stasis-fastlaunch: handing a launch back to the Java front end, and the debug log that says
 * which path a launch took. */
#ifndef STASIS_FL_FALLBACK_H
#define STASIS_FL_FALLBACK_H

/* The variable the bin/ script takes as "stasis-fastlaunch already declined": it goes straight
 * on to Java and removes the variable, so the program never sees it. */
#define FL_FALLBACK_VAR "STASIS_FAST_LAUNCH_FALLBACK"

/* Remembers how to run the Java front end: the bin/ script and the user's arguments (argv[0] of
 * the arguments is the first one after the command name). prog names us in messages. */
void fl_fallback_init(const char *script, const char *prog, int argc, char **argv);

/* Runs the bin/ script again with the original arguments and environment plus FL_FALLBACK_VAR,
 * so that the Java front end does this launch; `why` goes to the debug log. Nothing may have
 * been printed or changed for the user before this is called. */
_Noreturn void fl_fallback(const char *why);

/* Whether STASIS_DEBUG asks for debug output (set, not empty, not "0", as Logging.debug()). */
int fl_debug_enabled(void);
/* One debug line "<prog>: fast launch: <text>" on stderr when debugging is on. */
void fl_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
