/* SysV semaphore sets and shared memory segments (sysv.h).
 *
 * Ids the program got from semget/shmget (and segments it has attached, found in
 * /proc/self/maps as "/SYSV<key>" with the id as inode) are recorded. At a checkpoint each
 * set's values and each segment's size are saved in memory (part of the image); one process
 * per object is elected, through the coordinator's store, to remake it at restart. A set or
 * segment that still exists (a restart on the same machine) is reused under its id and given
 * back its values; otherwise a new one is made and the program keeps using the old id, which
 * the wrappers below translate. A segment's contents come back through the image: the restorer
 * maps it as memory shared by the restored processes, which is then copied into the real
 * segment attached at the same address. A message queue's messages are read out by its elected
 * process at the checkpoint (every process is stopped) and sent back at once, in order, the
 * copy kept in this plugin's memory; at restart the queue is emptied or made anew and refilled
 * from the copy. */
#define _GNU_SOURCE
#include "sysv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "procread.h"
#include "text.h"

#define MAX_OBJS 128
#define MAX_SEMS 256
#define MAX_ATTACH 16

enum { OBJ_SEM = 1, OBJ_SHM = 2, OBJ_MSG = 3 };

struct obj {
    int kind;
    int vid, rid; /* as the program knows it, and as the kernel does now */
    key_t key;
    int mode;
    int nsems;
    size_t size;
    int nattach;
    uintptr_t attach[MAX_ATTACH];
    int attach_ro[MAX_ATTACH];
    unsigned short values[MAX_SEMS];
    char maker[96];
};

static struct obj objs[MAX_OBJS];

/* Messages of the queues this process was elected for: (queue index, type, length, bytes)... */
#define MSG_STORE (4u << 20)
#define MSG_MAX 65536
static uint8_t msg_store[MSG_STORE];
static size_t msg_used;

struct saved_msg {
    int32_t obj;
    uint32_t len;
    long type;
};
static volatile int nobjs;

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static struct obj *find(int kind, int vid)
{
    for (int i = 0; i < nobjs; i++)
        if (objs[i].kind == kind && objs[i].vid == vid) return &objs[i];
    return 0;
}

static void note(int kind, int id)
{
    if (id < 0 || find(kind, id) || nobjs == MAX_OBJS) return;
    struct obj *o = &objs[nobjs];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->vid = o->rid = id;
    __atomic_add_fetch(&nobjs, 1, __ATOMIC_SEQ_CST);
}

static int real_id(int kind, int vid)
{
    struct obj *o = find(kind, vid);
    return o ? o->rid : vid;
}

static int virtual_id(int kind, int rid)
{
    for (int i = 0; i < nobjs; i++)
        if (objs[i].kind == kind && objs[i].rid == rid) return objs[i].vid;
    return rid;
}

/* ---- wrappers ---- */

/* semop, semtimedop, msgsnd and msgrcv are never restarted after a signal handler, whatever
 * SA_RESTART says: a checkpoint (whose signal stops every thread) would make them fail with
 * EINTR in a program that has no handler at all. They are called again when the process's
 * threads were stopped and let go meanwhile (checkpoints, aborted ones and restarts); an EINTR
 * from a signal of the program's own is passed on as before. */
#define RETRY_AFTER_CHECKPOINT(type, call)                                                     \
    do {                                                                                       \
        for (;;) {                                                                             \
            uint32_t before = stasis_resumes();                                                \
            type r_ = (call);                                                                  \
            if (r_ >= 0 || errno != EINTR || stasis_resumes() == before) return r_;            \
        }                                                                                      \
    } while (0)

__attribute__((visibility("default"))) int semget(key_t key, int nsems, int flags)
{
    int id = STASIS_NEXT(semget)(key, nsems, flags);
    if (id >= 0) {
        id = virtual_id(OBJ_SEM, id);
        note(OBJ_SEM, id);
    }
    return id;
}

__attribute__((visibility("default"))) int semop(int id, struct sembuf *ops, size_t n)
{
    RETRY_AFTER_CHECKPOINT(int, STASIS_NEXT(semop)(real_id(OBJ_SEM, id), ops, n));
}

static int64_t mono_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* As above, keeping the caller's deadline: a call again gets what is left of its timeout (read
 * only once the kernel has accepted it, so bad pointers still give EFAULT). */
__attribute__((visibility("default"))) int semtimedop(int id, struct sembuf *ops, size_t n, const struct timespec *t)
{
    int64_t start = t ? mono_ns() : 0;
    const struct timespec *p = t;
    struct timespec left;
    for (;;) {
        uint32_t before = stasis_resumes();
        int r = STASIS_NEXT(semtimedop)(real_id(OBJ_SEM, id), ops, n, p);
        if (r >= 0 || errno != EINTR || stasis_resumes() == before) return r;
        if (t) {
            int64_t total = (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
            int64_t spent = mono_ns() - start;
            if (total <= 0) return r;
            if (spent < 0) spent = 0; /* a clock that went back: another boot at restart */
            int64_t l = spent >= total ? 0 : total - spent;
            left.tv_sec = (time_t)(l / 1000000000);
            left.tv_nsec = (long)(l % 1000000000);
            p = &left;
        }
    }
}

__attribute__((visibility("default"))) int semctl(int id, int num, int cmd, ...)
{
    union semun arg = {0};
    va_list ap;
    va_start(ap, cmd);
    switch (cmd & 0xff) {
    case SETVAL: case GETALL: case SETALL: case IPC_STAT: case IPC_SET: case IPC_INFO: case SEM_INFO: case SEM_STAT:
    case SEM_STAT_ANY:
        arg = va_arg(ap, union semun);
        break;
    default:
        break;
    }
    va_end(ap);
    int r = STASIS_NEXT(semctl)(real_id(OBJ_SEM, id), num, cmd, arg);
    if (r == 0 && (cmd & 0xff) == IPC_RMID) {
        struct obj *o = find(OBJ_SEM, id);
        if (o) o->kind = 0;
    }
    return r;
}

__attribute__((visibility("default"))) int msgget(key_t key, int flags)
{
    int id = STASIS_NEXT(msgget)(key, flags);
    if (id >= 0) {
        id = virtual_id(OBJ_MSG, id);
        note(OBJ_MSG, id);
    }
    return id;
}

__attribute__((visibility("default"))) int msgsnd(int id, const void *msg, size_t len, int flags)
{
    RETRY_AFTER_CHECKPOINT(int, STASIS_NEXT(msgsnd)(real_id(OBJ_MSG, id), msg, len, flags));
}

__attribute__((visibility("default"))) ssize_t msgrcv(int id, void *msg, size_t len, long type, int flags)
{
    RETRY_AFTER_CHECKPOINT(ssize_t, STASIS_NEXT(msgrcv)(real_id(OBJ_MSG, id), msg, len, type, flags));
}

__attribute__((visibility("default"))) int msgctl(int id, int cmd, struct msqid_ds *buf)
{
    int r = STASIS_NEXT(msgctl)(real_id(OBJ_MSG, id), cmd, buf);
    if (r == 0 && (cmd & 0xff) == IPC_RMID) {
        struct obj *o = find(OBJ_MSG, id);
        if (o) o->kind = 0;
    }
    return r;
}

__attribute__((visibility("default"))) int shmget(key_t key, size_t size, int flags)
{
    int id = STASIS_NEXT(shmget)(key, size, flags);
    if (id >= 0) {
        id = virtual_id(OBJ_SHM, id);
        note(OBJ_SHM, id);
    }
    return id;
}

__attribute__((visibility("default"))) void *shmat(int id, const void *addr, int flags)
{
    note(OBJ_SHM, id);
    return STASIS_NEXT(shmat)(real_id(OBJ_SHM, id), addr, flags);
}

__attribute__((visibility("default"))) int shmctl(int id, int cmd, struct shmid_ds *buf)
{
    int r = STASIS_NEXT(shmctl)(real_id(OBJ_SHM, id), cmd, buf);
    if (r == 0 && (cmd & 0xff) == IPC_RMID) {
        struct obj *o = find(OBJ_SHM, id);
        if (o) o->kind = 0;
    }
    return r;
}

/* ---- checkpoint ---- */

/* Segments attached now, from /proc/self/maps: "/SYSV<key>" with the segment's id as inode. */
static void note_attachment(char *line, void *arg)
{
    (void)arg;
    if (!strstr(line, "/SYSV")) return;
    /* start-end perms offset dev inode path */
    uintptr_t start = (uintptr_t)strtoul(line, 0, 16);
    const char *perms = strchr(line, ' ');
    const char *p = perms;
    for (int field = 0; field < 3 && p; field++) p = strchr(p + 1, ' '); /* offset, dev, inode */
    if (!p) return;
    int id = virtual_id(OBJ_SHM, (int)strtol(p + 1, 0, 10));
    note(OBJ_SHM, id);
    struct obj *o = find(OBJ_SHM, id);
    if (!o || o->nattach == MAX_ATTACH) return;
    for (int k = 0; k < o->nattach; k++)
        if (o->attach[k] == start) return;
    o->attach_ro[o->nattach] = perms[2] != 'w';
    o->attach[o->nattach++] = start;
}

static void find_attachments(void)
{
    static char buf[65536];
    for (int i = 0; i < nobjs; i++) objs[i].nattach = 0;
    if (proc_read("/proc/self/maps", buf, sizeof buf) >= 0) proc_each_line(buf, note_attachment, 0);
}

static void obj_key(char *out, size_t cap, const struct obj *o, const char *what)
{
    char id[24];
    text_key_head(out, cap, what, stasis_generation());
    text_uint(id, (unsigned long)o->vid);
    size_t n = strlen(out);
    text_fail(out + n, cap - n, o->kind == OBJ_SEM ? "sem/" : o->kind == OBJ_MSG ? "msg/" : "shm/", id, 0);
}

int sysv_capture(const struct stasis_plugin *me, char *err, size_t errlen)
{
    find_attachments();
    char key[256];
    for (int i = 0; i < nobjs; i++) {
        struct obj *o = &objs[i];
        if (o->kind == OBJ_SEM) {
            struct semid_ds ds;
            union semun a = {.buf = &ds};
            if (STASIS_NEXT(semctl)(o->rid, 0, IPC_STAT, a) < 0) {
                o->kind = 0; /* removed meanwhile */
                continue;
            }
            if (ds.sem_nsems > MAX_SEMS)
                return text_fail(err, errlen, "a SysV semaphore set has more semaphores than can be saved", 0, 0);
            o->key = ds.sem_perm.__key;
            o->mode = ds.sem_perm.mode & 0777;
            o->nsems = (int)ds.sem_nsems;
            a.array = o->values;
            STASIS_NEXT(semctl)(o->rid, 0, GETALL, a);
        } else if (o->kind == OBJ_MSG) {
            struct msqid_ds ds;
            if (STASIS_NEXT(msgctl)(o->rid, IPC_STAT, &ds) < 0) {
                o->kind = 0;
                continue;
            }
            o->key = ds.msg_perm.__key;
            o->mode = ds.msg_perm.mode & 0777;
            o->size = ds.msg_qbytes;
        } else if (o->kind == OBJ_SHM) {
            struct shmid_ds ds;
            if (STASIS_NEXT(shmctl)(o->rid, IPC_STAT, &ds) < 0) {
                o->kind = 0;
                continue;
            }
            o->key = ds.shm_perm.__key;
            o->mode = ds.shm_perm.mode & 0777;
            o->size = ds.shm_segsz;
        } else {
            continue;
        }
        obj_key(key, sizeof key, o, "g");
        stasis_kv_put(me, key, stasis_process_id());
    }
    return 0;
}

/* One message on its way between a queue and the store. */
static struct {
    long type;
    char text[MSG_MAX];
} msg_buf;

/* Sends queue i the messages of the store that are its, from offset `from` on, in order. */
static void send_saved(int i, size_t from)
{
    for (size_t at = from; at < msg_used;) {
        struct saved_msg h;
        memcpy(&h, msg_store + at, sizeof h);
        if (h.obj == i) {
            msg_buf.type = h.type;
            memcpy(msg_buf.text, msg_store + at + sizeof h, h.len);
            STASIS_NEXT(msgsnd)(objs[i].rid, &msg_buf, h.len, IPC_NOWAIT);
        }
        at += sizeof h + h.len;
    }
}

/* Reads every message of queue i into the store and sends them back in order; -1 when they
 * do not fit (the ones read so far are sent back). */
static int copy_queue(int i)
{
    size_t first = msg_used;
    int r = 0;
    for (;;) {
        ssize_t n = STASIS_NEXT(msgrcv)(objs[i].rid, &msg_buf, MSG_MAX, 0, IPC_NOWAIT);
        if (n < 0) break; /* ENOMSG: empty */
        if (msg_used + sizeof(struct saved_msg) + (size_t)n > MSG_STORE) {
            /* no room: put it back, last (the order of what is left is kept) */
            STASIS_NEXT(msgsnd)(objs[i].rid, &msg_buf, (size_t)n, IPC_NOWAIT);
            r = -1;
            break;
        }
        struct saved_msg h = {i, (uint32_t)n, msg_buf.type};
        memcpy(msg_store + msg_used, &h, sizeof h);
        memcpy(msg_store + msg_used + sizeof h, msg_buf.text, (size_t)n);
        msg_used += sizeof h + (size_t)n;
    }
    send_saved(i, first);
    return r;
}

void sysv_elected(const struct stasis_plugin *me)
{
    char key[256];
    msg_used = 0;
    for (int i = 0; i < nobjs; i++) {
        struct obj *o = &objs[i];
        if (!o->kind) continue;
        obj_key(key, sizeof key, o, "g");
        if (stasis_kv_get(me, key, o->maker, sizeof o->maker) < 0) text_fail(o->maker, sizeof o->maker, stasis_process_id(), 0, 0);
        if (o->kind == OBJ_MSG && strcmp(o->maker, stasis_process_id()) == 0 && copy_queue(i) < 0)
            text_warn("a SysV message queue holds more than can be saved (4 MiB); ",
                      "some of its messages will be missing after a restart", 0);
    }
}

/* At restart, in the queue's elected process: its messages as they were at the checkpoint. */
static void refill_queue(int i)
{
    while (STASIS_NEXT(msgrcv)(objs[i].rid, &msg_buf, MSG_MAX, 0, IPC_NOWAIT | MSG_NOERROR) >= 0) {}
    send_saved(i, 0);
}

/* ---- restart ---- */

/* The object the kernel knew at the checkpoint (o->rid, restored with our memory), if it is
 * still there: same key and same size. */
static int still_there(const struct obj *o)
{
    if (o->kind == OBJ_SEM) {
        struct semid_ds ds;
        union semun a = {.buf = &ds};
        return STASIS_NEXT(semctl)(o->rid, 0, IPC_STAT, a) == 0 && ds.sem_perm.__key == o->key &&
               (int)ds.sem_nsems == o->nsems;
    }
    if (o->kind == OBJ_MSG) {
        struct msqid_ds ds;
        return STASIS_NEXT(msgctl)(o->rid, IPC_STAT, &ds) == 0 && ds.msg_perm.__key == o->key;
    }
    struct shmid_ds ds;
    return STASIS_NEXT(shmctl)(o->rid, IPC_STAT, &ds) == 0 && ds.shm_perm.__key == o->key && ds.shm_segsz == o->size;
}

static int remake(struct obj *o)
{
    if (still_there(o)) return o->rid;
    key_t key = o->key;
    if (o->kind == OBJ_SEM) {
        int id = STASIS_NEXT(semget)(key, o->nsems, IPC_CREAT | o->mode);
        if (id < 0 && key != IPC_PRIVATE) id = STASIS_NEXT(semget)(IPC_PRIVATE, o->nsems, IPC_CREAT | o->mode);
        return id;
    }
    if (o->kind == OBJ_MSG) {
        int id = STASIS_NEXT(msgget)(key, IPC_CREAT | o->mode);
        if (id < 0 && key != IPC_PRIVATE) id = STASIS_NEXT(msgget)(IPC_PRIVATE, IPC_CREAT | o->mode);
        return id;
    }
    int id = STASIS_NEXT(shmget)(key, o->size, IPC_CREAT | o->mode);
    if (id < 0 && key != IPC_PRIVATE) id = STASIS_NEXT(shmget)(IPC_PRIVATE, o->size, IPC_CREAT | o->mode);
    return id;
}


/* Puts the real segment where the restored memory copy of it is, with the saved contents. */
static void reattach(struct obj *o, int copy)
{
    for (int k = 0; k < o->nattach; k++) {
        size_t len = (o->size + 4095) & ~(size_t)4095;
        void *at = (void *)o->attach[k];
        void *saved = 0;
        if (copy) {
            saved = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (saved == MAP_FAILED) saved = 0;
            if (saved) memcpy(saved, at, o->size);
        }
        void *p = STASIS_NEXT(shmat)(o->rid, at, SHM_REMAP | (o->attach_ro[k] ? SHM_RDONLY : 0));
        if (p == (void *)-1) {
            text_warn("cannot attach a SysV shared memory segment again: ", strerror(errno), 0);
        } else if (saved) {
            if (o->attach_ro[k]) mprotect(at, len, PROT_READ | PROT_WRITE);
            memcpy(at, saved, o->size);
            if (o->attach_ro[k]) mprotect(at, len, PROT_READ);
        }
        if (saved) munmap(saved, len);
    }
}

void sysv_restart(const struct stasis_plugin *me)
{
    char key[256], value[32];
    const char *self = stasis_process_id();
    for (int i = 0; i < nobjs; i++) {
        struct obj *o = &objs[i];
        if (!o->kind || strcmp(o->maker, self) != 0) continue;
        o->rid = remake(o);
        if (o->rid < 0) {
            text_warn("cannot make a SysV semaphore set, segment or message queue again: ", strerror(errno), 0);
            continue;
        }
        if (o->kind == OBJ_SEM) {
            union semun a = {.array = o->values};
            STASIS_NEXT(semctl)(o->rid, 0, SETALL, a);
        }
        if (o->kind == OBJ_MSG) refill_queue(i);
        text_uint(value, (unsigned long)o->rid);
        obj_key(key, sizeof key, o, "made");
        stasis_kv_put(me, key, value);
    }
    /* every process passes here */
    stasis_barrier(me, "sysv-made");
    for (int i = 0; i < nobjs; i++) {
        struct obj *o = &objs[i];
        if (!o->kind) continue;
        int maker = strcmp(o->maker, self) == 0;
        if (!maker) {
            obj_key(key, sizeof key, o, "made");
            if (stasis_kv_get(me, key, value, sizeof value) < 0) continue;
            const char *p = value;
            o->rid = (int)strtol(p, 0, 10);
        }
        if (o->kind == OBJ_SHM && o->rid >= 0) reattach(o, 1);
    }
}
