/* stasis-fastlaunch: growable strings, the launch plan's field encoding, and the Java rules for
 * reading numbers and flags from the environment (so both front ends accept the same values). */
#ifndef STASIS_FL_TEXT_H
#define STASIS_FL_TEXT_H
#include <stddef.h>
#include <stdint.h>

/* A NUL-terminated byte string that grows on demand. Zero-initialise before use. Running out of
 * memory hands the launch to the Java front end (fl_fallback), so callers never see NULL. */
struct fl_str {
    char *p;
    size_t len, cap;
};

void fl_str_addn(struct fl_str *s, const char *t, size_t n);
void fl_str_add(struct fl_str *s, const char *t);
void fl_str_addc(struct fl_str *s, char c);
void fl_str_addu(struct fl_str *s, uint64_t v);
void fl_str_addi(struct fl_str *s, int64_t v);
void fl_str_free(struct fl_str *s);
/* The string's bytes, never NULL (an empty string for an untouched fl_str). */
const char *fl_str_get(const struct fl_str *s);

/* Checked allocation and copies: out of memory hands the launch to Java. */
void *fl_alloc(size_t n);
char *fl_strdup(const char *s);
char *fl_strndup(const char *s, size_t n);

/* Plan fields: every byte outside '!'..'~', and '%' itself, as %XX (upper-case hex). Fields are
 * then free of spaces and newlines, and the encoding is the same on the Java side. */
void fl_str_enc(struct fl_str *s, const char *t, size_t n);
/* Decodes one field; -1 if it is malformed or decodes to a NUL byte. */
int fl_dec(const char *field, size_t n, struct fl_str *out);

/* FNV-1a, 64 bits: names the plan file after its request (LaunchPlan.key on the Java side). */
uint64_t fl_fnv1a64(const void *p, size_t n);

int fl_streq(const char *a, const char *b);
int fl_startswith(const char *s, const char *prefix);
int fl_endswith(const char *s, const char *suffix);
/* ASCII-only case-insensitive equality (Java's toLowerCase(Locale.ROOT) on ASCII text). */
int fl_ascii_ieq(const char *a, const char *b);
/* Whether every byte is printable ASCII ('!'..'~') or a space. */
int fl_is_plain_ascii(const char *s);

/* Java's String.trim(): strips bytes <= ' ' at both ends. Returns a new string. */
char *fl_trim(const char *s);
/* Java's String.isBlank() for ASCII text: empty or only whitespace (Character.isWhitespace).
 * Returns -1 for text with non-ASCII bytes, where the answer would need Unicode tables. */
int fl_is_blank(const char *s);

/* Integer.parseInt(s.trim()) as Env.integer does it: 0 and *out set, or -1 if Java would
 * refuse the value (or it has non-ASCII digits, which Java accepts and we do not). */
int fl_java_env_int(const char *s, int *out);
/* picocli's Integer option value: plain ASCII decimal digits with an optional sign, in int range.
 * 0, or -1 when unsure. */
int fl_java_option_int(const char *s, int *out);
/* Env.flag: 1/yes/true/on -> 1, 0/no/false/off -> 0 (trimmed, any case); -1 otherwise. */
int fl_java_env_flag(const char *s);

#endif
