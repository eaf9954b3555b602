/* vs_buf: a growable text buffer with a hard size limit, failing cleanly when full. */
#ifndef VS_BUF_H
#define VS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated once anything was added; NULL before */
    size_t len; /* bytes in use, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* most bytes the buffer may hold, not counting the NUL */
} vs_buf;

/* Start an empty buffer that will refuse to grow past max bytes. */
void vs_buf_init(vs_buf *b, size_t max);

/* Append n bytes. Returns 0, or -1 when the limit would be passed or memory is short; the
 * buffer is then unchanged. Does not log. */
int vs_buf_append(vs_buf *b, const void *data, size_t n);

/* Append a NUL-terminated string; as vs_buf_append. */
int vs_buf_append_str(vs_buf *b, const char *s);

/* Append printf-style formatted text; as vs_buf_append (nothing is added on failure). */
int vs_buf_appendf(vs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vs_buf_vappendf(vs_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The contents as a string: "" for an empty buffer, never NULL. */
const char *vs_buf_str(const vs_buf *b);

/* Empty the buffer, keeping its memory and limit. */
void vs_buf_reset(vs_buf *b);

/* Hand the contents to the caller (who frees them) and leave the buffer empty. Returns NULL
 * only when memory is short. */
char *vs_buf_steal(vs_buf *b);

/* Release the memory; accepts NULL. The buffer can be used again after vs_buf_init. */
void vs_buf_free(vs_buf *b);

#endif /* VS_BUF_H */
