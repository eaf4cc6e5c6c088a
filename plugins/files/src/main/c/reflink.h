/* Copy-on-write clones (FICLONE) of saved files, beside the image instead of in it, where the
 * file system offers them (xfs with reflink, btrfs). docs/architecture.md, "Saved files as
 * copy-on-write clones". */
#ifndef FILES_REFLINK_H
#define FILES_REFLINK_H
#include <stddef.h>
#include <stdint.h>

/* Saved files smaller than this are copied into the image: a clone costs a file, its fsync
 * and a directory entry, more than copying a few hundred KiB. */
#define REFLINK_MIN (1u << 20)

/* What the image records of a clone (in the files plugin's section). The name is relative to
 * the folder beside the image (stasis_image_files_dir), so a checkpoint directory moved as a
 * whole keeps working. The checksums of its first and last 4 KiB catch a clone replaced or
 * written since. */
struct reflink_ref {
    uint64_t size;
    uint32_t crc_head, crc_tail;
    char name[240]; /* "g<generation>-fd<fd>-<file name>" */
};

/* PRECHECKPOINT, before the first clone of a generation: whether clones are wanted at all
 * (STASIS_FILE_CLONES=0 turns them off). */
void reflink_begin(void);

/* PRECHECKPOINT: clones the file open as fd (at path; size bytes at the checkpoint) into the
 * folder beside the image and makes the clone durable. 0 with ref filled; -1 when the file
 * system offers no clone here (another file system, no reflink, no folder): the caller copies
 * the bytes into the image, and nothing is said. */
int reflink_make(int fd, const char *path, uint64_t size, struct reflink_ref *ref);

/* PRECHECKPOINT, after the last clone: makes the folder's entries durable. 0, or -1 with a
 * one-line reason. */
int reflink_sync(char *err, size_t errlen);

/* RESTART: the clone's contents, mapped read-only (ref->size bytes), for the code that puts
 * saved copies back; NULL when it is gone, unreadable or not the one the checkpoint made, with
 * the reason (naming the clone) in why. */
const uint8_t *reflink_map(const struct reflink_ref *ref, char *why, size_t whylen);

/* RESTART, at the end: unmaps what reflink_map mapped. */
void reflink_unmap_all(void);

#endif
