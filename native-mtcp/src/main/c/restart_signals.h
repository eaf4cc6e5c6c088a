/* SIGTERM, SIGINT and SIGHUP while a restarted process waits for its restart (restart_signals.c). */
#ifndef STASIS_RESTART_SIGNALS_H
#define STASIS_RESTART_SIGNALS_H
int sx_restart_signals_open(void);  /* the descriptor to poll, or -1 */
int sx_restart_signals_fd(void);    /* the open descriptor, or -1 */
void sx_restart_signals_take(void); /* read it: exits on a signal the program does not ignore */
void sx_restart_signals_check(void); /* after the RESTART hooks: forget it if a program's fd took its place */
void sx_restart_signals_close(void);
#endif
