/* The agent's side of the coordinator protocol (docs/protocol.md): framed key=value text. */
#ifndef STASIS_COORD_H
#define STASIS_COORD_H
#include <stddef.h>
#include "text.h"

#define SX_MSG_MAX 65536
#define SX_MSG_FIELDS 64

struct sx_msg {
    char *verb;
    int nfields;
    char *keys[SX_MSG_FIELDS];
    char *values[SX_MSG_FIELDS];
};

/* Connects to host:port (numeric IPv4), retrying until timeout_ms passes. fd or -errno.
 * The socket is moved to a high descriptor number, out of the program's way. */
int sx_coord_connect(const char *host, int port, int timeout_ms);

/* Sends the message under construction in b (verb line + key=value lines). 0 or -errno. */
int sx_coord_send(int fd, const struct sx_buf *b);

/* Receives one message into buf (SX_MSG_MAX+1 bytes) and parses it into m. 0, or -errno,
 * or -1 on a malformed frame, or -2 on EOF. */
int sx_coord_recv(int fd, char *buf, struct sx_msg *m);

const char *sx_msg_get(const struct sx_msg *m, const char *key);

/* Message building: starts a message with a verb; adds key=value lines. */
void sx_msg_begin(struct sx_buf *b, char *mem, size_t cap, const char *verb);
void sx_msg_kv(struct sx_buf *b, const char *key, const char *value);
void sx_msg_kvi(struct sx_buf *b, const char *key, long value);

#endif
