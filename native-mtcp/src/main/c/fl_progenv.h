/* stasis-fastlaunch: the launched program's environment, built step by step as
 * ProgramEnvironment.forLaunch builds it (same order: later steps win). */
#ifndef STASIS_FL_PROGENV_H
#define STASIS_FL_PROGENV_H

#include "fl_coord.h"
#include "fl_env.h"
#include "fl_options.h"
#include "fl_plan.h"

/* Turns env (our own environment) into the program's. agent is lib/libstasis.so. */
void fl_program_env(struct fl_env *env, const struct fl_launch *o, const struct fl_session *c, const char *agent,
                    const struct fl_plan *plugins);

/* ProgramEnvironment.preload: the agent and the plugins' native halves first, then the entries
 * of the existing LD_PRELOAD (split at ':' and ' ') that are not one of those or another copy of
 * the agent. */
char *fl_preload(const char *const *first, size_t nfirst, const char *existing);

#endif
