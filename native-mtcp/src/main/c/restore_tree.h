/* The restorer's process tree: several images restored by one command, each in its own
 * process, with the parent/child links, sessions and process groups they had. */
#ifndef STASIS_RESTORE_TREE_H
#define STASIS_RESTORE_TREE_H
#include <stdint.h>

#define SX_TREE_MAX 1024

struct sx_tree_pid {
    int32_t vpid, real;
};

/* Forks the tree described by the images' headers. Returns, in each process of the tree, the
 * index of the image that process restores. With several unrelated processes the calling one
 * stays as their parent and ends with the first one's status (never returns). Exits 2 with a
 * message when a header cannot be read. */
int sx_tree_fork(char *const *images, int n);

/* Called once this process has checked its image: waits for every other process of the tree
 * to check its own. Returns 0 and the table of old (virtual) and new (real) pids, or -1 when
 * another process refused its image (it said why). */
int sx_tree_settle(struct sx_tree_pid *out, uint32_t *nout);

struct sx_region;
/* The memory object made for a region shared between processes (see restore_tree.c), or -1
 * when the region is not one; sx_tree_close_shared closes them all once mapped. */
int sx_tree_shared_fd(const struct sx_region *r);
void sx_tree_close_shared(void);

/* This process refuses its image (it is about to exit): the others stop too. No-op outside a tree. */
void sx_tree_refused(void);

#endif
