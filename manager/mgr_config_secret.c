/* mgr_config_secret: the configuration's secrets (SNMP community and USM passphrase files) and
 * the credential-free form of libvirt URIs; no secret ever reaches a message. */
#include "config.h"

#include "mgr_config.h"
#include "mgr_config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_FILE_MAX 65536 /* a secret file holds a line or two: refuse anything larger */
#define SECRET_PASS_MIN 8     /* Net-SNMP refuses shorter USM passphrases */

void mgr_config_secret_free(char *secret)
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
static char *secret_path(const mgr_config_ctx *ctx, const char *name)
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

/* Open and read the secret file that attribute attr (value name) of the <snmp> at line names.
 * Returns 0 with the contents (free with secret_data_free) and its path, or -1 after reporting. */
static int secret_file_read(mgr_config_ctx *ctx, int line, const char *attr, const char *name,
                            char **path, char **data, size_t *len)
{
    struct stat st;
    int rc = -1;

    *path = secret_path(ctx, name);
    if (*path == NULL) {
        mgr_config_ctx_error(ctx, ctx->file, line, "Out of memory while reading %s.", attr);
        return -1;
    }
    int fd = open(*path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        mgr_config_ctx_error(ctx, ctx->file, line,
                             "<snmp> attribute %s names %s, which cannot be read: %s.", attr, *path,
                             strerror(errno));
    } else if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        mgr_config_ctx_error(ctx, ctx->file, line,
                             "<snmp> attribute %s names %s, which is not a regular file.", attr,
                             *path);
    } else if (secret_fd_read(fd, data, len) < 0) {
        mgr_config_ctx_error(ctx, ctx->file, line,
                             errno == EFBIG ? "<snmp> attribute %s names %s, which is larger than "
                                              "64 KiB; a secret file holds a line or two."
                                            : "<snmp> attribute %s names %s, which cannot be read.",
                             attr, *path);
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

int mgr_config_secret_community(mgr_config_ctx *ctx, int line, const char *name, char **community)
{
    char *path = NULL;
    char *data = NULL;
    size_t len = 0;

    if (secret_file_read(ctx, line, "community-file", name, &path, &data, &len) < 0)
        return -1;
    const char *nl = memchr(data, '\n', len);
    size_t n = nl != NULL ? (size_t)(nl - data) : len;
    int has_nul = memchr(data, '\0', n) != NULL;
    while (n > 0 && data[n - 1] == '\r')
        n--;
    int rc = -1;
    if (has_nul) {
        mgr_config_ctx_error(ctx, path, 1, "The community line holds a NUL byte.");
    } else if (n == 0) {
        mgr_config_ctx_error(ctx, path, 1,
                             "The community file is empty; put the community on its first line.");
    } else if ((*community = strndup(data, n)) == NULL) {
        mgr_config_ctx_error(ctx, path, 1, "Out of memory while reading the community.");
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
static int usm_line_take(mgr_config_ctx *ctx, usm_secrets *s, int n, const char *line, size_t len)
{
    while (len > 0 && line[len - 1] == '\r')
        len--;
    if (memchr(line, '\0', len) != NULL) {
        mgr_config_ctx_error(ctx, s->path, n, "The line holds a NUL byte.");
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
            mgr_config_ctx_error(
                ctx, s->path, n,
                "A second \"%s\" line (the first is line %d); give each passphrase "
                "once.",
                usm_keywords[k], s->pass_at[k]);
            return -1;
        }
        s->pass_at[k] = n;
        size_t from = kw < len ? kw + 1 : len;
        if (len - from < SECRET_PASS_MIN) {
            mgr_config_ctx_error(ctx, s->path, n,
                                 "The %s passphrase is shorter than %d characters, the least "
                                 "Net-SNMP accepts.",
                                 usm_keywords[k], SECRET_PASS_MIN);
            return -1;
        }
        s->pass[k] = strndup(line + from, len - from);
        if (s->pass[k] == NULL) {
            mgr_config_ctx_error(ctx, s->path, n, "Out of memory while reading the passphrase.");
            return -1;
        }
        return 0;
    }
    mgr_config_ctx_error(ctx, s->path, n,
                         "The line is not \"auth PASSPHRASE\" or \"priv PASSPHRASE\" (nor blank, "
                         "nor a # comment).");
    return -1;
}

/* Take every line of a USM secret file's contents. Returns 0, or -1 if any line was wrong. */
static int usm_lines_take(mgr_config_ctx *ctx, usm_secrets *s, const char *data, size_t len)
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

int mgr_config_secret_usm(mgr_config_ctx *ctx, int line, const char *name, char **auth, char **priv)
{
    char *data = NULL;
    size_t len = 0;
    usm_secrets s = { NULL, { NULL, NULL }, { 0, 0 } };
    char *path = NULL;

    if (secret_file_read(ctx, line, "secret-file", name, &path, &data, &len) < 0)
        return -1;
    s.path = path;
    int rc = usm_lines_take(ctx, &s, data, len);
    for (int k = 0; rc == 0 && k < 2; k++) {
        if (s.pass_at[k] == 0) {
            mgr_config_ctx_error(ctx, ctx->file, line,
                                 "<snmp> attribute secret-file names %s, which has no \"%s "
                                 "PASSPHRASE\" line; version 3 needs both auth and priv.",
                                 path, usm_keywords[k]);
            rc = -1;
        }
    }
    if (rc == 0) {
        *auth = s.pass[0];
        *priv = s.pass[1];
    } else {
        mgr_config_secret_free(s.pass[0]);
        mgr_config_secret_free(s.pass[1]);
    }
    secret_data_free(data, len);
    free(path);
    return rc;
}

/* Whether a URI query parameter (name, n bytes, before any '=') may carry a password. */
static int uri_param_secret(const char *name, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (strncasecmp(name + i, "pass", 4) == 0)
            return 1;
    }
    return 0;
}

/* Append the query (text between '?' and the fragment, n bytes) without secret parameters. */
static void uri_query_append(vs_buf *out, const char *q, size_t n)
{
    int kept = 0;

    for (size_t at = 0; at < n;) {
        const char *amp = memchr(q + at, '&', n - at);
        size_t end = amp != NULL ? (size_t)(amp - q) : n;
        const char *eq = memchr(q + at, '=', end - at);
        size_t name_len = eq != NULL ? (size_t)(eq - (q + at)) : end - at;
        if (end > at && !uri_param_secret(q + at, name_len)) {
            vs_buf_append_str(out, kept++ ? "&" : "?");
            vs_buf_append(out, q + at, end - at);
        }
        at = end + 1;
    }
}

char *mgr_config_uri_safe(const char *uri)
{
    vs_buf out;
    const char *p = uri;

    vs_buf_init(&out, strlen(uri) + 1);
    const char *auth = strstr(uri, "://");
    if (auth != NULL) {
        auth += 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = NULL;
        for (size_t i = 0; i < alen; i++)
            at = auth[i] == '@' ? auth + i : at;
        vs_buf_append(&out, uri, (size_t)(auth - uri));
        p = auth;
        if (at != NULL) {
            const char *colon = memchr(auth, ':', (size_t)(at - auth));
            if (colon == auth)
                p = at + 1; /* only a password: drop the userinfo */
            if (colon != NULL && colon != auth) {
                vs_buf_append(&out, auth, (size_t)(colon - auth));
                p = at;
            }
        }
    }
    const char *q = strchr(p, '?');
    if (q == NULL) {
        vs_buf_append_str(&out, p);
    } else {
        size_t qlen = strcspn(q + 1, "#");
        vs_buf_append(&out, p, (size_t)(q - p));
        uri_query_append(&out, q + 1, qlen);
        vs_buf_append_str(&out, q + 1 + qlen);
    }
    return vs_buf_steal(&out);
}
