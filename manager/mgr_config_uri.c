/* mgr_config_uri: the credential-free form of libvirt URIs, for logs, output and configuration
 * messages (libvirt-specific: the generic secret files are in lib/vs_conf_secret.c). */
#include "config.h"

#include "mgr_config.h"

#include <string.h>
#include <strings.h>

#include "vs_buf.h"

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
