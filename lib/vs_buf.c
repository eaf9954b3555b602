/* vs_buf: a growable text buffer with a hard size limit, failing cleanly when full. */
#include "config.h"

#include "vs_buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vs_buf_init(vs_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

/* Make room for extra more bytes plus the NUL, doubling the allocation. */
static int buf_reserve(vs_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int vs_buf_append(vs_buf *b, const void *data, size_t n)
{
    if (buf_reserve(b, n) < 0)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int vs_buf_append_str(vs_buf *b, const char *s)
{
    return vs_buf_append(b, s, strlen(s));
}

int vs_buf_vappendf(vs_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;

    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0)
        return -1;
    if (vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap) != n) {
        b->data[b->len] = '\0';
        return -1;
    }
    b->len += (size_t)n;
    return 0;
}

int vs_buf_appendf(vs_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int rc = vs_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *vs_buf_str(const vs_buf *b)
{
    return b->data != NULL ? b->data : "";
}

void vs_buf_reset(vs_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

char *vs_buf_steal(vs_buf *b)
{
    char *s = b->data != NULL ? b->data : strdup("");

    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return s;
}

void vs_buf_free(vs_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
