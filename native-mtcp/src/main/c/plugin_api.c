/* The public plugin API (stasis/plugin.h): what a plugin's native half calls. Registration
 * feeds the hook registry (plugin_host.c); sections are buffered here for the writer and read
 * back from the image file at restart; the key-value store and barriers are requests to the
 * coordinator, made on the checkpoint thread while it runs the hooks. */
#define _GNU_SOURCE
#include <stasis/plugin.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "agent.h"
#include "coord.h"
#include "crc32c.h"
#include "image_format.h"
#include "plugin_host.h"
#include "sys.h"
#include "text.h"

#define API __attribute__((visibility("default")))
#define MAX_PLUGINS 32
#define SX_STR_(x) #x
#define SX_STR(x) SX_STR_(x)
/* A section has no size limit of its own: its buffer is mapped to its size (the writer streams
 * it into the image from there), and the image's section sizes are 64-bit. */
#define NAME_MAX_LEN 64 /* image-format.md: a PLUGIN section starts with the name, NUL-terminated */

struct plugin {
    const struct stasis_plugin *api;
    struct sx_hooks hooks;
    void *section;          /* this generation's section data, or 0 */
    uint64_t section_len, section_map;
};

static struct plugin plugins[MAX_PLUGINS];
static int nplugins;
static char replybuf[SX_MSG_MAX + 1];
static char reqbuf[SX_MSG_MAX];
static int pending_abort;
static char pending_reason[256];

static void refuse(const struct stasis_plugin *p, const char *why)
{
    sx_log(0, "native plugin ", p && p->name ? p->name : "(no name)", why);
}

/* Position of name in the launch's plugin order (1-based); unknown names go last. */
static int rank_of(const char *name)
{
    const char *order = getenv("STASIS_NATIVE_PLUGINS");
    size_t n = sx_strlen(name);
    int rank = 1;
    for (const char *s = order; s && *s; rank++) {
        const char *e = s;
        while (*e && *e != ':') e++;
        if ((size_t)(e - s) == n && sx_startswith(s, name)) return rank;
        s = *e ? e + 1 : e;
    }
    return 1000;
}

API int stasis_register(const struct stasis_plugin *p)
{
    if (!p || !p->name || !p->name[0]) {
        refuse(p, ": refused: it has no name");
        return -1;
    }
    if (sx_strlen(p->name) >= NAME_MAX_LEN) {
        refuse(p, ": refused: the name is longer than 63 bytes");
        return -1;
    }
    if (p->sdk_major != STASIS_SDK_MAJOR || p->sdk_minor > STASIS_SDK_MINOR) {
        refuse(p, ": refused: it was built against a plugin SDK this agent does not provide"
                  " (the agent provides " SX_STR(STASIS_SDK_MAJOR) "." SX_STR(STASIS_SDK_MINOR) ")");
        return -1;
    }
    for (int i = 0; i < nplugins; i++) {
        if (sx_streq(plugins[i].api->name, p->name)) {
            refuse(p, ": refused: a plugin of that name is already registered");
            return -1;
        }
    }
    if (nplugins == MAX_PLUGINS) {
        refuse(p, ": refused: too many native plugins");
        return -1;
    }
    struct plugin *pl = &plugins[nplugins];
    pl->api = p;
    pl->hooks.name = p->name;
    pl->hooks.presuspend = p->presuspend;
    pl->hooks.precheckpoint = p->precheckpoint;
    pl->hooks.resume = p->resume;
    pl->hooks.restart = p->restart;
    if (sx_hooks_register_ranked(&pl->hooks, rank_of(p->name)) < 0) {
        refuse(p, ": refused: too many hooks");
        return -1;
    }
    nplugins++;
    return 0;
}

API uint32_t stasis_generation(void) { return sx_hooks_state()->generation; }

API int stasis_restarting(void) { return sx_hooks_state()->restarting; }

static struct plugin *find(const struct stasis_plugin *p)
{
    for (int i = 0; i < nplugins; i++)
        if (plugins[i].api == p) return &plugins[i];
    return 0;
}

/* Called from a hook on the thread running the hooks, during one of the given events. */
static int in_hook(int ev_mask)
{
    const struct sx_hook_state *s = sx_hooks_state();
    return s->event != SX_EV_NONE && (ev_mask & (1 << s->event)) && s->tid == sx_gettid();
}

#define ALL_EVENTS ((1 << SX_EV_PRESUSPEND) | (1 << SX_EV_PRECHECKPOINT) | (1 << SX_EV_RESUME) | (1 << SX_EV_RESTART))

/* ---- sections ---- */

static void drop_section(struct plugin *pl, int unmap)
{
    if (pl->section && unmap) sx_munmap(pl->section, pl->section_map);
    pl->section = 0;
    pl->section_len = pl->section_map = 0;
}

/* A fresh section buffer of len bytes after the plugin's name: the data goes straight into it
 * (stasis_section_buffer) or is copied (stasis_section_write). */
static uint8_t *new_section(struct plugin *pl, size_t len)
{
    drop_section(pl, 1);
    size_t name_len = sx_strlen(pl->api->name) + 1;
    if (len > (uint64_t)1 << 46) return 0; /* more than any address space: a caller's mistake */
    uint64_t map = (name_len + len + SX_PAGE - 1) & ~(uint64_t)(SX_PAGE - 1);
    long m = sx_mmap(0, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m < 0 && m > -4096) return 0;
    uint8_t *buf = (uint8_t *)m;
    memcpy(buf, pl->api->name, name_len);
    pl->section = buf;
    pl->section_len = name_len + len;
    pl->section_map = map;
    return buf + name_len;
}

API int stasis_section_write(const struct stasis_plugin *p, const void *data, size_t len)
{
    struct plugin *pl = find(p);
    if (!pl || !in_hook((1 << SX_EV_PRESUSPEND) | (1 << SX_EV_PRECHECKPOINT)) || (len && !data)) return -1;
    uint8_t *to = new_section(pl, len);
    if (!to) return -1;
    if (len) memcpy(to, data, len);
    return 0;
}

API void *stasis_section_buffer(const struct stasis_plugin *p, size_t len)
{
    struct plugin *pl = find(p);
    if (!pl || !in_hook((1 << SX_EV_PRESUSPEND) | (1 << SX_EV_PRECHECKPOINT))) return 0;
    return new_section(pl, len);
}

API uint32_t stasis_crc32c(uint32_t crc, const void *data, size_t len) { return sx_crc32c(crc, data, len); }

int sx_plugin_sections(struct sx_plugin_section *out, int max)
{
    int n = 0;
    for (int i = 0; i < nplugins; i++) {
        if (!plugins[i].section) continue;
        if (n < max) {
            out[n].name = plugins[i].api->name;
            out[n].data = plugins[i].section;
            out[n].len = plugins[i].section_len;
            out[n].map_len = plugins[i].section_map;
        }
        n++;
    }
    return n;
}

static long read_exact(int fd, void *buf, uint64_t len, uint64_t off)
{
    uint64_t done = 0;
    while (done < len) {
        long r = sx_pread(fd, (uint8_t *)buf + done, len - done, off + done);
        if (r == -4) continue;
        if (r <= 0) return -1;
        done += (uint64_t)r;
    }
    return 0;
}

/* PLUGIN sections sit between the tables and the first MEMORY section: walk the headers. The
 * data is read straight into out (a section may be gigabytes: no second copy), the rest past cap
 * through a small buffer, so that the checksum covers all of it. cap 0 asks for the length only
 * (the restorer checked every checksum before this process was rebuilt). */
static long read_section(int fd, const char *name, void *out, size_t cap)
{
    static uint8_t rest[65536];
    uint64_t off = SX_HEADER_SIZE;
    size_t name_len = sx_strlen(name) + 1;
    for (;;) {
        struct sx_section_header h;
        if (read_exact(fd, &h, sizeof h, off) < 0) return -1;
        if (sx_crc32c(0, &h, offsetof(struct sx_section_header, header_crc)) != h.header_crc) return -1;
        if (h.type == SX_SEC_MEMORY || h.type == SX_SEC_TRAILER) return -1;
        uint64_t body = off + sizeof h;
        if (h.type == SX_SEC_PLUGIN && h.payload_size >= name_len) {
            char head[NAME_MAX_LEN];
            if (read_exact(fd, head, name_len, body) < 0) return -1;
            if (memcmp(head, name, name_len) == 0) {
                uint64_t len = h.payload_size - name_len;
                if (!cap) return (long)len;
                uint32_t crc = sx_crc32c(0, head, name_len);
                uint64_t direct = len < cap ? len : cap;
                if (read_exact(fd, out, direct, body + name_len) < 0) return -1;
                crc = sx_crc32c(crc, out, direct);
                for (uint64_t at = direct; at < len;) {
                    uint64_t n = len - at < sizeof rest ? len - at : sizeof rest;
                    if (read_exact(fd, rest, n, body + name_len + at) < 0) return -1;
                    crc = sx_crc32c(crc, rest, n);
                    at += n;
                }
                return crc == h.payload_crc ? (long)len : -1;
            }
        }
        off = body + h.payload_size;
    }
}

API long stasis_section_read(const struct stasis_plugin *p, void *buf, size_t cap)
{
    if (!find(p) || !in_hook(1 << SX_EV_RESTART) || (cap && !buf) || !sx_restart_info.image[0]) return -1;
    int fd = (int)sx_open(sx_restart_info.image, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) {
        sx_log(1, "plugin ", p->name, ": cannot open the image to read its section");
        return -1;
    }
    long r = read_section(fd, p->name, buf, cap);
    sx_close(fd);
    return r;
}

/* ---- the coordinator ---- */

/* A request and the reply it waits for: the first message with verb `want` whose `key` equals
 * `value`. An ABORT read meanwhile ends the wait (remembered for the checkpoint thread); KILL
 * is obeyed at once. Returns 0, or -1. */
static int request2(const struct sx_buf *req, const char *want, const char *key, const char *value,
                    const char *key2, const char *value2, struct sx_msg *reply);

static int request(const struct sx_buf *req, const char *want, const char *key, const char *value, struct sx_msg *reply)
{
    return request2(req, want, key, value, 0, 0, reply);
}

/* Puts sent without waiting (stasis_kv_put_nowait) gather in one KV_PUTS frame, sent before
 * anything else this process sends and when a hook returns: the coordinator applies them in
 * that order, so a later barrier or get finds them. */
static char putsbuf[SX_MSG_MAX];
static struct sx_buf batch_puts;
static int nputs;

static int flush_puts(void)
{
    if (!nputs) return 0;
    sx_msg_kvi(&batch_puts, "count", nputs);
    nputs = 0;
    if (pending_abort || sx_agent.coord_fd < 0) return -1;
    return sx_coord_send(sx_agent.coord_fd, &batch_puts) < 0 ? -1 : 0;
}

void sx_plugin_api_flush(void) { flush_puts(); }

/* "<prefix><n>", for the numbered fields of a batch */
static const char *field(char *out, size_t cap, const char *prefix, long n)
{
    struct sx_buf b;
    sx_buf_init(&b, out, cap);
    sx_buf_add(&b, prefix);
    sx_buf_int(&b, n);
    return out;
}

/* Sends a request without waiting for its answer (which a later wait skips). */
static int send_only(const struct sx_buf *req)
{
    /* The generation was aborted while this hook ran: nothing more to ask. Reading on would
     * swallow the next generation's first EVENT, which may follow the ABORT at once. */
    if (pending_abort) return -1;
    if (flush_puts() < 0) return -1;
    if (sx_agent.coord_fd < 0 || sx_coord_send(sx_agent.coord_fd, req) < 0) return -1;
    return 0;
}

/* Waits for the answer of verb want whose key (and key2, unless the reply lacks the field: an
 * older coordinator) match, skipping the answers to requests sent without waiting. */
static int await_reply(const char *want, const char *key, const char *value, const char *key2, const char *value2,
                       struct sx_msg *reply)
{
    for (;;) {
        if (sx_coord_recv(sx_agent.coord_fd, replybuf, reply) < 0) return -1;
        if (sx_streq(reply->verb, want)) {
            const char *v = sx_msg_get(reply, key);
            const char *v2 = key2 ? sx_msg_get(reply, key2) : 0;
            if (v && sx_streq(v, value) && (!v2 || sx_streq(v2, value2))) return 0;
        } else if (sx_streq(reply->verb, "ABORT")) {
            const char *why = sx_msg_get(reply, "reason");
            pending_abort = 1;
            sx_copy_str(pending_reason, sizeof pending_reason, why ? why : "");
            return -1;
        } else if (sx_streq(reply->verb, "KILL")) {
            SX_SYS2(__NR_kill, sx_getpid(), 9);
        }
    }
}

/* The same; with key2, the reply must match it too, unless it lacks the field (an older
 * coordinator). */
static int request2(const struct sx_buf *req, const char *want, const char *key, const char *value,
                    const char *key2, const char *value2, struct sx_msg *reply)
{
    if (send_only(req) < 0) return -1;
    return await_reply(want, key, value, key2, value2, reply);
}

int sx_plugin_api_take_abort(char *reason, size_t cap)
{
    if (!pending_abort) return 0;
    pending_abort = 0;
    sx_copy_str(reason, cap, pending_reason);
    return 1;
}

static int valid_text(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (s[n] == '\n' || n >= max) return 0;
    return 1;
}

/* "<plugin>/<key>" into out; 0, or -1 when it does not fit or has a newline. */
static int scoped(char *out, size_t cap, const char *plugin, const char *sep, const char *key)
{
    if (!valid_text(key, 4096)) return -1;
    struct sx_buf b;
    sx_buf_init(&b, out, cap);
    sx_buf_add(&b, plugin);
    sx_buf_add(&b, sep);
    sx_buf_add(&b, key);
    return b.len + 1 < cap ? 0 : -1;
}

API int stasis_kv_put(const struct stasis_plugin *p, const char *key, const char *value)
{
    char full[4200];
    if (!find(p) || !key || !key[0] || !value || !in_hook(ALL_EVENTS)) return -1;
    if (scoped(full, sizeof full, p->name, "/", key) < 0 || !valid_text(value, 60000)) return -1;
    struct sx_buf b;
    struct sx_msg m;
    sx_msg_begin(&b, reqbuf, sizeof reqbuf, "KV_PUT");
    sx_msg_kv(&b, "key", full);
    sx_msg_kv(&b, "value", value);
    return request(&b, "KV_OK", "key", full, &m);
}

API long stasis_kv_get(const struct stasis_plugin *p, const char *key, char *out, size_t cap)
{
    char full[4200];
    if (!find(p) || !key || !key[0] || (cap && !out) || !in_hook(ALL_EVENTS)) return -2;
    if (scoped(full, sizeof full, p->name, "/", key) < 0) return -2;
    struct sx_buf b;
    struct sx_msg m;
    sx_msg_begin(&b, reqbuf, sizeof reqbuf, "KV_GET");
    sx_msg_kv(&b, "key", full);
    if (request(&b, "KV_VALUE", "key", full, &m) < 0) return -2;
    const char *found = sx_msg_get(&m, "found");
    if (!found || !sx_streq(found, "1")) return -1;
    const char *v = sx_msg_get(&m, "value");
    size_t n = v ? sx_strlen(v) : 0;
    if (cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        if (k) memcpy(out, v, k);
        out[k] = 0;
    }
    return (long)n;
}

API int stasis_kv_put_nowait(const struct stasis_plugin *p, const char *key, const char *value)
{
    char full[4200], name[24];
    if (!find(p) || !key || !key[0] || !value || !in_hook(ALL_EVENTS)) return -1;
    if (scoped(full, sizeof full, p->name, "/", key) < 0 || !valid_text(value, 60000)) return -1;
    if (pending_abort) return -1;
    /* room for this pair and the count: else the batch so far goes first */
    size_t need = sx_strlen(full) + sx_strlen(value) + 64;
    if (nputs && batch_puts.len + need > sizeof putsbuf && flush_puts() < 0) return -1;
    if (!nputs) sx_msg_begin(&batch_puts, putsbuf, sizeof putsbuf, "KV_PUTS");
    nputs++;
    sx_msg_kv(&batch_puts, field(name, sizeof name, "key.", nputs), full);
    sx_msg_kv(&batch_puts, field(name, sizeof name, "value.", nputs), value);
    return 0;
}

#define GETS_PER_FRAME 30 /* 2 fields a key, and id and count: within SX_MSG_FIELDS */

API int stasis_kv_get_many(const struct stasis_plugin *p, size_t n, const char *const *keys, char *const *outs,
                           size_t cap, long *lens)
{
    char full[4200];
    if (!find(p) || !keys || !outs || !lens || !in_hook(ALL_EVENTS)) return -1;
    for (size_t i = 0; i < n; i++)
        if (!keys[i] || !keys[i][0] || scoped(full, sizeof full, p->name, "/", keys[i]) < 0) return -1;
    /* Every question first, GETS_PER_FRAME keys a frame (an answer is parsed into at most
     * SX_MSG_FIELDS fields), then the answers, which come in the same order: one round trip. */
    static char frame[SX_MSG_MAX];
    static uint32_t batch;
    uint32_t first = batch + 1;
    for (size_t at = 0; at < n; at += GETS_PER_FRAME) {
        size_t k = n - at < GETS_PER_FRAME ? n - at : GETS_PER_FRAME;
        struct sx_buf b;
        char name[24];
        sx_msg_begin(&b, frame, sizeof frame, "KV_GETS");
        sx_msg_kvi(&b, "id", (long)++batch);
        sx_msg_kvi(&b, "count", (long)k);
        for (size_t j = 0; j < k; j++) {
            scoped(full, sizeof full, p->name, "/", keys[at + j]);
            sx_msg_kv(&b, field(name, sizeof name, "key.", (long)j + 1), full);
        }
        if (send_only(&b) < 0) return -1;
    }
    uint32_t id = first;
    for (size_t at = 0; at < n; at += GETS_PER_FRAME, id++) {
        size_t k = n - at < GETS_PER_FRAME ? n - at : GETS_PER_FRAME;
        struct sx_msg m;
        char idtext[16], name[24];
        field(idtext, sizeof idtext, "", (long)id);
        if (await_reply("KV_VALUES", "id", idtext, 0, 0, &m) < 0) return -1;
        const char *too_big = sx_msg_get(&m, "too_big");
        if (too_big && sx_streq(too_big, "1")) { /* values too large for one frame: one by one */
            for (size_t j = 0; j < k; j++) {
                lens[at + j] = stasis_kv_get(p, keys[at + j], cap ? outs[at + j] : 0, cap);
                if (lens[at + j] < -1) return -1;
            }
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            const char *found = sx_msg_get(&m, field(name, sizeof name, "found.", (long)j + 1));
            const char *v = sx_msg_get(&m, field(name, sizeof name, "value.", (long)j + 1));
            if (!found || !sx_streq(found, "1")) {
                lens[at + j] = -1;
                if (cap) outs[at + j][0] = 0;
                continue;
            }
            size_t len = v ? sx_strlen(v) : 0;
            if (cap) {
                size_t c = len < cap - 1 ? len : cap - 1;
                if (c) memcpy(outs[at + j], v, c);
                outs[at + j][c] = 0;
            }
            lens[at + j] = (long)len;
        }
    }
    return 0;
}

static int barrier(const struct stasis_plugin *p, const char *name, int local)
{
    char full[4200];
    if (!find(p) || !name || !name[0] || !in_hook(ALL_EVENTS)) return -1;
    if (scoped(full, sizeof full, p->name, "/", name) < 0) return -1;
    /* Alone in the generation: nobody to wait for, and no round trip to pay while the
     * program's threads are stopped (a process that joins meanwhile makes the coordinator
     * start the generation over anyway). */
    if (sx_agent.peers == 1) return 0;
    struct sx_buf b;
    struct sx_msg m;
    /* the generation: an arrival from an abandoned one is not counted in the next */
    char gen[16];
    struct sx_buf g;
    sx_buf_init(&g, gen, sizeof gen);
    sx_buf_int(&g, sx_hooks_state()->generation);
    sx_msg_begin(&b, reqbuf, sizeof reqbuf, "BARRIER");
    sx_msg_kv(&b, "name", full);
    sx_msg_kv(&b, "generation", gen);
    if (local) sx_msg_kv(&b, "scope", "host");
    return request2(&b, "RELEASE", "name", full, "generation", gen, &m);
}

API int stasis_barrier(const struct stasis_plugin *p, const char *name) { return barrier(p, name, 0); }

API int stasis_local_barrier(const struct stasis_plugin *p, const char *name) { return barrier(p, name, 1); }

API int stasis_plugin_registered(const char *name)
{
    for (int i = 0; name && i < nplugins; i++)
        if (sx_streq(plugins[i].api->name, name)) return 1;
    return 0;
}

/* ---- notes for the checkpoint's result (SDK 1.6) ---- */

static char notes[4096];
static size_t notes_len;

const char *sx_plugin_notes(void) { return notes; }

void sx_plugin_notes_clear(void)
{
    notes_len = 0;
    notes[0] = 0;
}

API int stasis_note(const struct stasis_plugin *p, const char *text)
{
    if (!find(p) || !text || !text[0] || !in_hook((1 << SX_EV_PRESUSPEND) | (1 << SX_EV_PRECHECKPOINT)) ||
        !valid_text(text, 1000))
        return -1;
    for (const char *c = text; *c; c++)
        if (*c == '\t') return -1; /* the separator */
    size_t need = (notes_len ? 1 : 0) + sx_strlen(p->name) + 2 + sx_strlen(text);
    if (notes_len + need + 1 > sizeof notes) return -1;
    struct sx_buf b;
    sx_buf_init(&b, notes + notes_len, sizeof notes - notes_len);
    if (notes_len) sx_buf_add(&b, "\t");
    sx_buf_add(&b, p->name);
    sx_buf_add(&b, ": ");
    sx_buf_add(&b, text);
    notes_len += b.len;
    return 0;
}

API int stasis_host_address(struct sockaddr_storage *out)
{
    if (!out || sx_agent.coord_fd < 0) return -1;
    uint32_t len = sizeof *out;
    memset(out, 0, sizeof *out);
    if (SX_SYS3(__NR_getsockname, sx_agent.coord_fd, out, &len) < 0) return -1;
    ((struct sockaddr_in *)out)->sin_port = 0;
    return 0;
}

API int stasis_agent_fd(int fd) { return fd >= 0 && fd == sx_agent.coord_fd; }

API const char *stasis_process_id(void) { return sx_agent.upid; }

API uint32_t stasis_resumes(void) { return sx_threads_resumes(); }

API int stasis_launch_std(uint64_t dev, uint64_t ino) { return sx_agent.active ? sx_stdio_which(dev, ino) : -1; }

API const char *stasis_image_files_dir(void)
{
    return sx_hooks_state()->event == SX_EV_NONE ? 0 : sx_agent_image_files_dir();
}

/* ---- options ---- */

API const char *stasis_option(const struct stasis_plugin *p, const char *option)
{
    if (!p || !p->name || !option) return 0;
    /* STASIS_OPT_<PLUGIN>_<OPTION>: the launch's naming rule (framework PluginOptionEnv) */
    char var[256];
    struct sx_buf b;
    sx_buf_init(&b, var, sizeof var);
    sx_buf_add(&b, "STASIS_OPT_");
    const char *rest = option;
    while (*rest == '-') rest++;
    size_t n = sx_strlen(p->name);
    if (sx_startswith(rest, p->name) && rest[n] == '-') rest += n + 1;
    for (const char *parts[2] = {p->name, rest}, **q = parts; q < parts + 2; q++) {
        for (const char *c = *q; *c; c++) {
            char ch = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c == '-' ? '_' : *c;
            sx_buf_addn(&b, &ch, 1);
        }
        if (q == parts) sx_buf_add(&b, "_");
    }
    if (b.len + 1 >= sizeof var) return 0;
    return getenv(var);
}

/* ---- lifecycle ---- */

/* After a checkpoint the sections are in the image: free them. After a restart their buffers
 * were never restored (the writer leaves them out): forget them without unmapping what may
 * now be something else. */
static void sections_resume(void)
{
    for (int i = 0; i < nplugins; i++) drop_section(&plugins[i], !sx_hooks_state()->restarting);
}

static void sections_restart(void)
{
    for (int i = 0; i < nplugins; i++) drop_section(&plugins[i], 0);
}

static const struct sx_hooks section_hooks = {
    .name = "plugin-sections",
    .resume = sections_resume,
    .restart = sections_restart,
};

__attribute__((constructor)) static void plugin_api_register(void) { sx_hooks_register(&section_hooks); }
