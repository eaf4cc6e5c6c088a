/* The standard descriptors the computation was given by the command that started it.
 *
 * At a restart, descriptors 0, 1 and 2 of the restored processes become those of dmtcp_restart
 * (a job script's new log, the user's terminal): what the launch gave the computation is
 * replaced by what the restart gives it, as DMTCP does. But only those: a file, pipe or
 * terminal the computation itself put on 0, 1 or 2 (a shell's `> out.txt`, `< in.txt`, a
 * pipeline, freopen) is part of the computation and comes back like any other descriptor.
 * So the first process of a launch notes which open files its 0, 1 and 2 are (device and
 * inode, as fstat gives them: a pipe's inode is the pipe), and every process of the
 * computation inherits that in STASIS_LAUNCH_STDIO (forks through memory, execs through the
 * environment, kept there by follow.c). After a restart the restart's descriptors take their
 * place. The files plugin asks stasis_launch_std() which descriptors are these. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "agent.h"
#include "sys.h"
#include "text.h"

#define STDIO_VAR "STASIS_LAUNCH_STDIO"

struct std_id {
    uint64_t dev, ino;
    int known; /* 0: the descriptor was closed */
};
static struct std_id launch_std[3];

/* "<dev hex>:<ino hex>" or "-" per descriptor, comma-separated; always the same width per
 * descriptor state, short enough for follow.c's variables. */
static void format_ids(char *out, size_t cap)
{
    struct sx_buf b;
    sx_buf_init(&b, out, cap);
    for (int fd = 0; fd < 3; fd++) {
        if (fd) sx_buf_add(&b, ",");
        if (!launch_std[fd].known) {
            sx_buf_add(&b, "-");
            continue;
        }
        sx_buf_hex(&b, launch_std[fd].dev, 1);
        sx_buf_add(&b, ":");
        sx_buf_hex(&b, launch_std[fd].ino, 1);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static const char *parse_hex(const char *p, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    for (int d; (d = hexval(*p)) >= 0 && digits < 16; p++, digits++) v = v << 4 | (uint64_t)d;
    *out = v;
    return digits ? p : 0;
}

/* 0 when text is three well-formed entries; launch_std is then theirs. */
static int parse_ids(const char *text)
{
    struct std_id ids[3] = {{0}};
    const char *p = text;
    for (int fd = 0; fd < 3; fd++) {
        if (fd && *p++ != ',') return -1;
        if (*p == '-') {
            p++;
            continue;
        }
        if (!(p = parse_hex(p, &ids[fd].dev)) || *p++ != ':' || !(p = parse_hex(p, &ids[fd].ino))) return -1;
        ids[fd].known = 1;
    }
    if (*p) return -1;
    for (int fd = 0; fd < 3; fd++) launch_std[fd] = ids[fd];
    return 0;
}

/* What this process has on 0, 1 and 2 now. */
static void take_own(void)
{
    for (int fd = 0; fd < 3; fd++) {
        struct stat st;
        launch_std[fd].known = SX_SYS2(__NR_fstat, fd, &st) == 0;
        launch_std[fd].dev = launch_std[fd].known ? (uint64_t)st.st_dev : 0;
        launch_std[fd].ino = launch_std[fd].known ? (uint64_t)st.st_ino : 0;
    }
}

void sx_stdio_init(void)
{
    const char *given = getenv(STDIO_VAR);
    if (given && parse_ids(given) == 0) return;
    /* the first process of a launch (the launch commands unset the variable) */
    take_own();
    char text[SX_STDIO_TEXT_MAX];
    format_ids(text, sizeof text);
    setenv(STDIO_VAR, text, 1); /* at load time, before the program runs: allocation is fine */
}

const char *sx_stdio_restarted(void)
{
    static char text[SX_STDIO_TEXT_MAX];
    take_own();
    format_ids(text, sizeof text);
    return text;
}

int sx_stdio_which(uint64_t dev, uint64_t ino)
{
    for (int fd = 0; fd < 3; fd++)
        if (launch_std[fd].known && launch_std[fd].dev == dev && launch_std[fd].ino == ino) return fd;
    return -1;
}
