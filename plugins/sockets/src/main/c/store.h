/* The coordinator's store, asked many keys at a time. A hook that needs one key per socket
 * would pay a round trip for each while the program is stopped; instead it names every key it
 * will need (store_want), fetches them together (store_fetch, one round trip), and reads them
 * from the batch (store_get). Puts go without waiting for an answer (stasis_kv_put_nowait): the
 * coordinator applies them before the barrier or get this process sends next. */
#ifndef SOCKETS_STORE_H
#define SOCKETS_STORE_H
#include <stasis/plugin.h>
#include <stddef.h>

/* Forgets the last batch. */
void store_clear(void);
/* A key for the next fetch (more than the batch holds are asked alone later). */
void store_want(const char *key);
/* Asks every wanted key; 0, or -1 when the coordinator did not answer. */
int store_fetch(const struct stasis_plugin *p);
/* As stasis_kv_get: from the batch when the key was fetched, else asked alone. */
long store_get(const struct stasis_plugin *p, const char *key, char *out, size_t cap);

#endif
