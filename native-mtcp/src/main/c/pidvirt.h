/* Virtual pids: after a restart the kernel hands out new pids and tids, but the program keeps
 * the numbers it saw before. The table maps the numbers the program knows (virtual) to the
 * ones the kernel uses now (real); a pid not in the table is its own virtual pid, so a process
 * that was never restarted pays one branch per wrapped call. */
#ifndef STASIS_PIDVIRT_H
#define STASIS_PIDVIRT_H
#include <stddef.h>

#define SX_MAX_PIDS 4096

/* real -> virtual and virtual -> real; 0 and -1 pass through; a negative number is a process
 * group (-pgid) and is mapped as one. */
int sx_pid_virtual(int real);
int sx_pid_real(int virt);
/* Whether virt is taken by another process of the table (a new child must not get it). */
int sx_pid_taken(int real);
/* Records that virt now runs as real (replacing an older entry for either number). */
void sx_pid_map_add(int virt, int real);
/* Forgets the entry of a process that was reaped, so its real pid can be reused. */
void sx_pid_map_drop_real(int real);
void sx_pid_map_clear(void);
int sx_pid_map_size(void);
/* Entries in the table; 0 until a restart (or an exec after one): the wrappers' fast path. */
extern volatile int sx_pid_live;

/* The table for a program we exec: "<writer real pid>:<v>=<r>,...", empty when the table is.
 * Returns the length written (0 when empty or it does not fit). */
size_t sx_pid_map_format(char *out, size_t cap);
/* At agent start: takes the table from STASIS_PID_MAP if this process (or its parent) wrote it. */
void sx_pid_map_import(const char *value, int self_real, int parent_real);

/* cpuclock.c: the clock id the kernel understands for one the program has (a CPU clock of a
 * process or thread names it by its virtual id). */
#include <time.h>
clockid_t sx_clock_real(clockid_t clk);
clockid_t sx_clock_virtual(clockid_t clk); /* the other way: for a clock id the kernel shows */

/* siginfo.c: si_pid seen by the program is virtual. */
#include <signal.h>
void sx_siginfo_fix(int sig, siginfo_t *si);            /* a siginfo the kernel filled */
int sx_siginfo_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
void sx_siginfo_restarted(void); /* after a restart: SA_SIGINFO handlers go behind the trampoline */

/* sigfd.c: ssi_pid read from a signalfd is virtual. */
long sx_sigfd_created(long r); /* a signalfd made (r >= 0) outside the signalfd() wrapper */
void sx_sigfd_rescan(void);    /* after a restart or a pid table taken over exec: note /proc/self/fd's */

#define SX_PID_MAP_VAR "STASIS_PID_MAP"

#endif
