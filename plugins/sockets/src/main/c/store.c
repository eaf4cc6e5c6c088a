/* store.h. No malloc: the batch lives in static arrays. */
#define _GNU_SOURCE
#include "store.h"

#include <stdint.h>
#include <string.h>

#define BATCH 8192
#define KEY_MAX 200
#define VALUE_MAX 160
#define SLOTS (2 * BATCH) /* an open-addressing index over the batch, half full at most */

static char keys[BATCH][KEY_MAX];
static char values[BATCH][VALUE_MAX];
static long lens[BATCH];
static int fetched[BATCH];
static int32_t slot_of[SLOTS]; /* batch index + 1, 0 for an empty slot */
static int n;

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

/* The batch index of key, or -1. */
static int find(const char *key)
{
    for (uint32_t s = hash(key) % SLOTS;; s = (s + 1) % SLOTS) {
        if (!slot_of[s]) return -1;
        if (strcmp(keys[slot_of[s] - 1], key) == 0) return slot_of[s] - 1;
    }
}

void store_clear(void)
{
    n = 0;
    memset(slot_of, 0, sizeof slot_of);
}

void store_want(const char *key)
{
    size_t len = strlen(key);
    if (n == BATCH || len >= KEY_MAX || find(key) >= 0) return;
    memcpy(keys[n], key, len + 1);
    fetched[n] = 0;
    uint32_t s = hash(key) % SLOTS;
    while (slot_of[s]) s = (s + 1) % SLOTS;
    slot_of[s] = n + 1;
    n++;
}

int store_fetch(const struct stasis_plugin *p)
{
    static const char *ask[BATCH];
    static char *out[BATCH];
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (fetched[i]) continue;
        ask[k] = keys[i];
        out[k] = values[i];
        k++;
    }
    if (!k) return 0;
    static long got[BATCH];
    if (stasis_kv_get_many(p, (size_t)k, ask, out, VALUE_MAX, got) < 0) return -1;
    for (int i = 0, j = 0; i < n; i++) {
        if (fetched[i]) continue;
        lens[i] = got[j++];
        fetched[i] = 1;
    }
    return 0;
}

long store_get(const struct stasis_plugin *p, const char *key, char *out, size_t cap)
{
    int i = find(key);
    if (i < 0 || !fetched[i] || lens[i] >= VALUE_MAX) return stasis_kv_get(p, key, out, cap); /* not fetched, or cut */
    if (lens[i] < 0) return -1;
    if (cap) {
        size_t k = (size_t)lens[i] < cap - 1 ? (size_t)lens[i] : cap - 1;
        memcpy(out, values[i], k);
        out[k] = 0;
    }
    return lens[i];
}
