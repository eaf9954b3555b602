/* th_logfile: the log-file action: formatting a routed trap as one escaped, bounded line and
 * appending it atomically (one write() on an O_APPEND descriptor). */
#include "config.h"

#include "th_logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Room kept at the end of a field for the "..." that says it was cut. */
#define ELLIPSIS "..."
#define ELLIPSIS_LEN 3

/* The length of the valid UTF-8 sequence at s (n bytes left) and its code point, or 0 when the
 * byte at s starts no valid sequence (stray continuation, overlong form, surrogate, past
 * U+10FFFF, cut short). */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], min;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, c &= 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, c &= 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Valid characters that still mislead a reader: C1 controls (some terminals act on them),
 * line and paragraph separators, and the bidirectional overrides that reorder what is shown. */
static int cp_hidden(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029
           || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Escape the next character of s (n bytes left) into unit; returns the bytes of s used and
 * sets *ulen. */
static size_t escape_one(const unsigned char *s, size_t n, int field, char *unit, size_t *ulen)
{
    unsigned cp;
    size_t len = utf8_seq(s, n, &cp);
    if (len == 0) {
        *ulen = (size_t)snprintf(unit, 16, "\\x%02X", s[0]);
        return 1;
    }
    if (len > 1) {
        if (cp_hidden(cp)) {
            *ulen = (size_t)snprintf(unit, 16, "\\u{%04X}", cp);
        } else {
            memcpy(unit, s, len);
            *ulen = len;
        }
        return len;
    }
    switch (cp) {
    case '\\':
        *ulen = (size_t)snprintf(unit, 16, "\\\\");
        break;
    case '\n':
        *ulen = (size_t)snprintf(unit, 16, "\\n");
        break;
    case '\r':
        *ulen = (size_t)snprintf(unit, 16, "\\r");
        break;
    case '\t':
        *ulen = (size_t)snprintf(unit, 16, "\\t");
        break;
    default:
        if (cp < 0x20 || cp == 0x7f || (field && cp == ' ')) {
            *ulen = (size_t)snprintf(unit, 16, "\\x%02X", cp);
        } else {
            unit[0] = (char)cp;
            *ulen = 1;
        }
    }
    return 1;
}

/* Append text escaped to out at *pos, ending before `end` (and leaving room for "..." when it
 * is cut); field: escape spaces too. Stops reading at the cut, so a huge value costs only what
 * is shown. */
static void put_escaped(char *out, size_t *pos, size_t end, const char *text, int field)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text), i = 0;
    while (i < n) {
        char unit[16];
        size_t ulen, used = escape_one(s + i, n - i, field, unit, &ulen);
        if (*pos + ulen > end - ELLIPSIS_LEN) {
            /* The rest fits whole only if this is the last unit and ends at end. */
            if (i + used == n && *pos + ulen <= end) {
                memcpy(out + *pos, unit, ulen);
                *pos += ulen;
                return;
            }
            memcpy(out + *pos, ELLIPSIS, ELLIPSIS_LEN);
            *pos += ELLIPSIS_LEN;
            return;
        }
        memcpy(out + *pos, unit, ulen);
        *pos += ulen;
        i += used;
    }
}

static size_t time_format(char *out, size_t cap, double when)
{
    time_t t = (time_t)floor(when);
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL)
        return (size_t)snprintf(out, cap, "@%lld", (long long)t);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    return (size_t)snprintf(out, cap, "%s%c%02ld:%02ld", stamp, sign, off / 60, off % 60);
}

size_t th_logfile_format(char *out, double time, const char *source, const char *trap,
                         const char *summary)
{
    size_t pos = time_format(out, TH_LOGFILE_LINE_MAX, time);
    const char *fields[2] = { source, trap };
    for (size_t i = 0; i < 2; i++) {
        out[pos++] = ' ';
        if (fields[i] == NULL || fields[i][0] == '\0')
            out[pos++] = '-';
        else
            put_escaped(out, &pos, pos + TH_LOGFILE_FIELD_MAX, fields[i], 1);
    }
    out[pos++] = ' ';
    /* Room for the newline and the NUL. */
    put_escaped(out, &pos, TH_LOGFILE_LINE_MAX - 2, summary != NULL ? summary : "", 0);
    out[pos++] = '\n';
    out[pos] = '\0';
    return pos;
}

int th_logfile_append(const char *path, const char *line, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open log file %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t w;
    do {
        w = write(fd, line, len); /* EINTR means nothing was written: the line is still whole */
    } while (w < 0 && errno == EINTR);
    int rc = 0;
    if (w < 0) {
        snprintf(err, errlen, "cannot write log file %s: %s", path, strerror(errno));
        rc = -1;
    } else if ((size_t)w != len) {
        snprintf(err, errlen, "log file %s took %zd of %zu bytes (disk full?)", path, w, len);
        rc = -1;
    }
    if (close(fd) < 0 && rc == 0) {
        snprintf(err, errlen, "cannot write log file %s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

int th_logfile_write(const char *path, const vs_msg *m, double now, char *err, size_t errlen)
{
    char line[TH_LOGFILE_LINE_MAX];
    const char *trap = m->metric != NULL ? m->metric : m->trap_oid;
    size_t len = th_logfile_format(line, now, m->source, trap, m->summary);
    return th_logfile_append(path, line, len, err, errlen);
}
