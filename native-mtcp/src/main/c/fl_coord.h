/* stasis-fastlaunch: joining a running coordinator the way CoordinatorSelector does when one
 * answers at host:port (docs/protocol.md: the secret file, HELLO, a status request). */
#ifndef STASIS_FL_COORD_H
#define STASIS_FL_COORD_H

#include "fl_env.h"
#include "fl_options.h"

struct fl_session {
    const char *host;   /* as resolved from the options (DMTCP_COORD_HOST for the program) */
    char *numeric_host; /* its IPv4 address (STASIS_COORD_HOST: the agent resolves no names) */
    int port;
    char *secret;
};

/* Finds the coordinator the launch asks for and checks it answers: reads the job secret
 * (STASIS_COORD_SECRET, else the secret file), says HELLO, asks for its status, and sets the
 * checkpoint interval when the launch gives one. 0, or -1 with *why for everything else (none
 * runs there, it refuses us, a host form only Java resolves): the Java front end then decides,
 * starting a coordinator or saying what is wrong. */
int fl_coord_join(const struct fl_launch *o, const struct fl_env *env, struct fl_session *out, const char **why);

#endif
