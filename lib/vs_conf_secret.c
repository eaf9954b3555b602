/* vs_conf_secret: a configuration's secret files (a community, password or webhook URL on a first
 * line; SNMPv3 USM passphrases), read strictly and wiped when done; no secret ever reaches a
 * message. */
#include "config.h"

#include "vs_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_FILE_MAX 65536 /* a secret file holds a line or two: refuse anything larger */
#define SECRET_PASS_MIN 8     /* Net-SNMP refuses shorter USM passphrases */

void vs_conf_secret_free(char *secret)
{
    if (secret == NULL)
        return;
    explicit_bzero(secret, strlen(secret));
    free(secret);
}

/* Wipe and free a secret file's contents; accepts NULL. */
static void secret_data_free(char *data, size_t len)
{
    if (data == NULL)
        return;
    explicit_bzero(data, len);
    free(data);
}

/* The path of a secret file as the configuration names it: relative to its directory. Returns a
 * new string, or NULL when memory is short. */
static char *secret_path(const vs_conf_ctx *ctx, const char *name)
{
    vs_buf p;

    vs_buf_init(&p, 8192);
    if (name[0] != '/' && vs_buf_appendf(&p, "%s/", ctx->dir) < 0)
        return NULL;
    if (vs_buf_append_str(&p, name) < 0) {
        vs_buf_free(&p);
        return NULL;
    }
    return vs_buf_steal(&p);
}

/* Read all of the open file fd into a new NUL-terminated buffer. Returns 0, or -1 with errno
 * (EFBIG when it is larger than SECRET_FILE_MAX). */
static int secret_fd_read(int fd, char **data, size_t *len)
{
    char *buf = calloc(1, SECRET_FILE_MAX + 1);
    size_t used = 0;

    if (buf == NULL)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf + used, SECRET_FILE_MAX + 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || used + (size_t)n > SECRET_FILE_MAX) {
            int saved = n < 0 ? errno : EFBIG;
            secret_data_free(buf, SECRET_FILE_MAX + 1);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return 0;
}

/* Open and read the secret file that attribute attr (value name) of the <elem> at line names.
 * Returns 0 with the contents (free with secret_data_free) and its path, or -1 after reporting. */
static int secret_file_read(vs_conf_ctx *ctx, int line, const char *elem, const char *attr,
                            const char *name, char **path, char **data, size_t *len)
{
    struct stat st;
    int rc = -1;

    *path = secret_path(ctx, name);
    if (*path == NULL) {
        vs_conf_error_at(ctx, ctx->file, line, "Out of memory while reading %s.", attr);
        return -1;
    }
    int fd = open(*path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        vs_conf_error_at(ctx, ctx->file, line,
                         "<%s> attribute %s names %s, which cannot be read: %s.", elem, attr, *path,
                         strerror(errno));
    } else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        vs_conf_error_at(ctx, ctx->file, line,
                         "<%s> attribute %s names %s, which is not a regular file.", elem, attr,
                         *path);
    } else if (secret_fd_read(fd, data, len) < 0) {
        vs_conf_error_at(ctx, ctx->file, line,
                         errno == EFBIG ? "<%s> attribute %s names %s, which is larger than "
                                          "64 KiB; a secret file holds a line or two."
                                        : "<%s> attribute %s names %s, which cannot be read.",
                         elem, attr, *path);
    } else {
        rc = 0;
    }
    if (fd >= 0)
        close(fd);
    if (rc < 0) {
        free(*path);
        *path = NULL;
    }
    return rc;
}

int vs_conf_secret_line(vs_conf_ctx *ctx, int line, const char *elem, const char *attr,
                        const char *what, const char *name, char **community)
{
    char *path = NULL;
    char *data = NULL;
    size_t len = 0;

    if (secret_file_read(ctx, line, elem, attr, name, &path, &data, &len) < 0)
        return -1;
    const char *nl = memchr(data, '\n', len);
    size_t n = nl != NULL ? (size_t)(nl - data) : len;
    int has_nul = memchr(data, '\0', n) != NULL;
    while (n > 0 && data[n - 1] == '\r')
        n--;
    int rc = -1;
    if (has_nul) {
        vs_conf_error_at(ctx, path, 1, "The %s line holds a NUL byte.", what);
    } else if (n == 0) {
        vs_conf_error_at(ctx, path, 1, "The %s file is empty; put the %s on its first line.", what,
                         what);
    } else if ((*community = strndup(data, n)) == NULL) {
        vs_conf_error_at(ctx, path, 1, "Out of memory while reading the %s.", what);
    } else {
        rc = 0;
    }
    secret_data_free(data, len);
    free(path);
    return rc;
}

/* What the USM secret file parser has seen so far. */
typedef struct {
    const char *path;
    char *pass[2];  /* auth, priv */
    int pass_at[2]; /* the line each came from, 0 while not seen */
} usm_secrets;

static const char *const usm_keywords[2] = { "auth", "priv" };

/* Take one line (len bytes, no newline) of a USM secret file, line number n. Returns 0, or -1
 * after reporting a problem. Never quotes the line. */
static int usm_line_take(vs_conf_ctx *ctx, usm_secrets *s, int n, const char *line, size_t len)
{
    while (len > 0 && line[len - 1] == '\r')
        len--;
    if (memchr(line, '\0', len) != NULL) {
        vs_conf_error_at(ctx, s->path, n, "The line holds a NUL byte.");
        return -1;
    }
    size_t lead = 0;
    while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
        lead++;
    if (lead == len || line[lead] == '#')
        return 0;
    size_t kw = strcspn(line, " ");
    kw = kw < len ? kw : len;
    for (int k = 0; k < 2; k++) {
        if (kw != 4 || memcmp(line, usm_keywords[k], 4) != 0)
            continue;
        if (s->pass_at[k] != 0) {
            vs_conf_error_at(ctx, s->path, n,
                             "A second \"%s\" line (the first is line %d); give each passphrase "
                             "once.",
                             usm_keywords[k], s->pass_at[k]);
            return -1;
        }
        s->pass_at[k] = n;
        size_t from = kw < len ? kw + 1 : len;
        if (len - from < SECRET_PASS_MIN) {
            vs_conf_error_at(ctx, s->path, n,
                             "The %s passphrase is shorter than %d characters, the least "
                             "Net-SNMP accepts.",
                             usm_keywords[k], SECRET_PASS_MIN);
            return -1;
        }
        s->pass[k] = strndup(line + from, len - from);
        if (s->pass[k] == NULL) {
            vs_conf_error_at(ctx, s->path, n, "Out of memory while reading the passphrase.");
            return -1;
        }
        return 0;
    }
    vs_conf_error_at(ctx, s->path, n,
                     "The line is not \"auth PASSPHRASE\" or \"priv PASSPHRASE\" (nor blank, "
                     "nor a # comment).");
    return -1;
}

/* Take every line of a USM secret file's contents. Returns 0, or -1 if any line was wrong. */
static int usm_lines_take(vs_conf_ctx *ctx, usm_secrets *s, const char *data, size_t len)
{
    int rc = 0;
    int n = 1;

    for (size_t at = 0; at < len; n++) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t end = nl != NULL ? (size_t)(nl - data) : len;
        if (usm_line_take(ctx, s, n, data + at, end - at) < 0)
            rc = -1;
        at = end + 1;
    }
    return rc;
}

int vs_conf_secret_usm(vs_conf_ctx *ctx, int line, const char *elem, const char *name, char **auth,
                       char **priv)
{
    char *data = NULL;
    size_t len = 0;
    usm_secrets s = { NULL, { NULL, NULL }, { 0, 0 } };
    char *path = NULL;

    if (secret_file_read(ctx, line, elem, "secret-file", name, &path, &data, &len) < 0)
        return -1;
    s.path = path;
    int rc = usm_lines_take(ctx, &s, data, len);
    for (int k = 0; rc == 0 && k < 2; k++) {
        if (s.pass_at[k] == 0) {
            vs_conf_error_at(ctx, ctx->file, line,
                             "<%s> attribute secret-file names %s, which has no \"%s "
                             "PASSPHRASE\" line; version 3 needs both auth and priv.",
                             elem, path, usm_keywords[k]);
            rc = -1;
        }
    }
    if (rc == 0) {
        *auth = s.pass[0];
        *priv = s.pass[1];
    } else {
        vs_conf_secret_free(s.pass[0]);
        vs_conf_secret_free(s.pass[1]);
    }
    secret_data_free(data, len);
    free(path);
    return rc;
}
