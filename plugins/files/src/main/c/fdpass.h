/* Handing descriptors between the processes of a computation at restart: a pipe is made
 * anew by one process (its maker) and the others that held it receive its two ends. */
#ifndef FILES_FDPASS_H
#define FILES_FDPASS_H
#include <stdint.h>

/* The maker: a nonblocking listening socket named after its process id, or -1. */
int fdpass_listen(const char *me);
/* Another process: asks the maker for the object known by inode; returns the connection to
 * read the answer from (fdpass_receive), or -1. */
int fdpass_ask(const char *maker, uint64_t inode);
/* The maker, once every request is queued: answers each with the read and write ends lookup
 * gives (lookup returns 0, or -1 for an unknown inode). Returns how many were answered. */
int fdpass_serve(int listener, int (*lookup)(uint64_t inode, int fds[2]));
/* Waits for the answer; fills fds (read end, write end) and returns 0, or -1. Closes conn. */
int fdpass_receive(int conn, int fds[2]);

#endif
