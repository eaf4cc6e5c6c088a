/* /proc directory listing with getdents64, shared by the thread and descriptor code. */
#include "procfs.h"

#include <fcntl.h>

#include "sys.h"
#include "text.h"

int sx_proc_numbers(const char *dir, int *out, int max)
{
    static char buf[32768]; /* only the checkpoint thread lists, one directory at a time */
    int dfd = (int)sx_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
    if (dfd < 0) return dfd;
    int n = 0;
    for (;;) {
        long got = SX_SYS3(__NR_getdents64, dfd, buf, sizeof buf);
        if (got <= 0) break;
        for (long off = 0; off < got;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            const char *name = buf + off + 19;
            if (name[0] >= '0' && name[0] <= '9' && n < max) {
                const char *p = name;
                int v = (int)sx_parse_u64(&p, 10);
                if (!(v == dfd && sx_streq(dir, "/proc/self/fd"))) out[n++] = v;
            }
            off += reclen;
        }
    }
    sx_close(dfd);
    return n;
}
