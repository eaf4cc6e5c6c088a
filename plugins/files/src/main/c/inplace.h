/* Files the program has open for writing may be changed in place after a checkpoint (the run
 * that is abandoned at a kill goes on writing them: an SQLite database, its journal). Small ones
 * travel in the image and are put back where they differ; larger ones are fingerprinted (CRC32C
 * per 1 MiB block) and a restart that finds them changed where the program had been is refused.
 * docs/architecture.md, "Files changed in place". */
#ifndef FILES_INPLACE_H
#define FILES_INPLACE_H
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* PRECHECKPOINT, before the files are looked at: reads the policy (STASIS_SAVE_WRITTEN_FILES,
 * "PER_FILE,TOTAL" in bytes with an optional K, M or G; default 16M,64M; 0 turns saving off)
 * and starts this generation's notes. */
void inplace_begin(void);

/* Whether a file open for writing of this size is saved in the image by the policy; counts it
 * against the process's total when it is. */
int inplace_take(uint64_t size);

/* A file counted by inplace_take that did not cost the image its bytes after all (a copy-on-write
 * clone beside the image holds them: reflink.c): gives its size back to the process's total. */
void inplace_release(uint64_t size);

/* RESTART: whether the file that was open as fd at the checkpoint, now st, is as it was then
 * (len bytes) by its inode, size and times: its saved copy need not even be looked at. */
int inplace_unchanged(int fd, const struct stat *st, uint64_t len);

/* Notes what the file open as fd looks like now (inode, size, times) and, with fingerprint,
 * the CRC32C of each 1 MiB block (reused from the previous checkpoint when the file has not
 * changed since). Returns 0, or -1 with a one-line reason in err. */
int inplace_note(int fd, int fingerprint, char *err, size_t errlen);

/* RESTART: whether the file at path, open as fd at the checkpoint and then size bytes long,
 * still holds in [0, size) what it held (a longer file is not a change: what follows was
 * appended by the abandoned run). 0: unchanged; 1: changed, with a reason in why; -1: cannot
 * tell (no fingerprints, unreadable), with a reason in why. */
int inplace_changed(int fd, const char *path, uint64_t size, char *why, size_t whylen);

/* RESTART: makes the file open as out (read and write) hold exactly data[0, len): the blocks
 * that differ are written, a longer file is cut back. The notes of the file that was open as
 * fd skip the comparison when it is unchanged since. Returns 1 when content was written, 0 when
 * it was equal (at most cut back), -1 on an error. */
int inplace_put_back(int fd, int out, const uint8_t *data, uint64_t len);

#endif
