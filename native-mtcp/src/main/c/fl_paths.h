/* stasis-fastlaunch: file names built exactly as java.nio.file.Path builds them in the Java front
 * end, so that both front ends hand the program, the plan and error messages the same strings. */
#ifndef STASIS_FL_PATHS_H
#define STASIS_FL_PATHS_H

/* Path.of(s).toString(): repeated slashes collapsed, a trailing slash dropped ("/" stays). */
char *fl_path_of(const char *s);

/* base.resolve(child): child if it is absolute, base if it is empty, else base "/" child. */
char *fl_path_resolve(const char *base, const char *child);

/* Path.normalize(): "." names dropped, ".." removes the name before it; in an absolute path a
 * ".." at the root is dropped, in a relative one it is kept. */
char *fl_path_normalize(const char *path);

#endif
