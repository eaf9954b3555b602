/* sa_names: domain states and reasons in virsh's words, and connection URIs with their
 * credentials taken out (for vsHvUri, log lines, and the libvirt auth callback). */
#include "config.h"

#include "sa_names.h"

#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The words of virsh (tools/virsh-domain-monitor.c), indexed by libvirt's enumerations. */
static const char *const state_words[] = {
    [VIR_DOMAIN_NOSTATE] = "no state",     [VIR_DOMAIN_RUNNING] = "running",
    [VIR_DOMAIN_BLOCKED] = "idle",         [VIR_DOMAIN_PAUSED] = "paused",
    [VIR_DOMAIN_SHUTDOWN] = "in shutdown", [VIR_DOMAIN_SHUTOFF] = "shut off",
    [VIR_DOMAIN_CRASHED] = "crashed",      [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
};

static const char *const running_words[] = {
    "unknown",       "booted",   "migrated",           "restored",
    "from snapshot", "unpaused", "migration canceled", "save canceled",
    "event wakeup",  "crashed",  "post-copy",          "post-copy failed",
};

static const char *const paused_words[] = {
    "unknown",   "user",        "migrating",     "saving",           "dumping",
    "I/O error", "watchdog",    "from snapshot", "shutting down",    "creating snapshot",
    "crashed",   "starting up", "post-copy",     "post-copy failed", "api error",
};

static const char *const shutdown_words[] = { "unknown", "user" };

static const char *const shutoff_words[] = {
    "unknown", "shutdown", "destroyed",     "crashed", "migrated",
    "saved",   "failed",   "from snapshot", "daemon",
};

static const char *const crashed_words[] = { "unknown", "panicked" };

const char *sa_names_state(int state)
{
    if (state < 0 || (size_t)state >= N_ELEMS(state_words) || state_words[state] == NULL)
        return "no state";
    return state_words[state];
}

/* words[reason] when the table has it, else "unknown". */
static const char *reason_word(const char *const *words, size_t n, int reason)
{
    if (reason < 0 || (size_t)reason >= n)
        return "unknown";
    return words[reason];
}

const char *sa_names_reason(int state, int reason)
{
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return reason_word(running_words, N_ELEMS(running_words), reason);
    case VIR_DOMAIN_PAUSED:
        return reason_word(paused_words, N_ELEMS(paused_words), reason);
    case VIR_DOMAIN_SHUTDOWN:
        return reason_word(shutdown_words, N_ELEMS(shutdown_words), reason);
    case VIR_DOMAIN_SHUTOFF:
        return reason_word(shutoff_words, N_ELEMS(shutoff_words), reason);
    case VIR_DOMAIN_CRASHED:
        return reason_word(crashed_words, N_ELEMS(crashed_words), reason);
    default:
        /* NOSTATE, BLOCKED and PMSUSPENDED have only an "unknown" reason. */
        return "unknown";
    }
}

const char *sa_names_state_reason(int state, int reason, char *buf, size_t size)
{
    snprintf(buf, size, "%s (%s)", sa_names_state(state), sa_names_reason(state, reason));
    return buf;
}

/* Find the user information of uri: [*start, *at) is "user[:password]", *at pointing at the
 * '@'. Returns 0, or -1 when the URI has no authority or no user information. */
static int uri_userinfo(const char *uri, size_t *start, size_t *at)
{
    const char *sep = strstr(uri, "://");
    if (sep == NULL)
        return -1;
    size_t auth = (size_t)(sep - uri) + 3;
    size_t end = auth + strcspn(uri + auth, "/?#");
    /* The last '@' of the authority ends the user information. */
    for (size_t i = end; i > auth; i--) {
        if (uri[i - 1] == '@') {
            *start = auth;
            *at = i - 1;
            return 0;
        }
    }
    return -1;
}

/* uri without bytes [from, to): a malloc'd string or NULL. */
static char *uri_cut(const char *uri, size_t from, size_t to)
{
    size_t len = strlen(uri);
    char *out = malloc(len - (to - from) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, uri, from);
    memcpy(out + from, uri + to, len - to + 1);
    return out;
}

char *sa_names_uri_public(const char *uri)
{
    size_t start, at;

    if (uri_userinfo(uri, &start, &at) < 0)
        return strdup(uri);
    return uri_cut(uri, start, at + 1);
}

int sa_names_uri_credentials(const char *uri, char **connect_uri, char **user, char **password)
{
    size_t start, at;
    char *c = NULL, *u = NULL, *p = NULL;

    if (uri_userinfo(uri, &start, &at) < 0) {
        c = strdup(uri);
        if (c == NULL)
            return -1;
        *connect_uri = c;
        *user = *password = NULL;
        return 0;
    }
    const char *colon = memchr(uri + start, ':', at - start);
    size_t user_end = colon != NULL ? (size_t)(colon - uri) : at;
    /* Without a user name the '@' goes too. */
    c = user_end == start ? uri_cut(uri, start, at + 1)
        : colon != NULL   ? uri_cut(uri, user_end, at)
                          : strdup(uri);
    u = user_end > start ? strndup(uri + start, user_end - start) : NULL;
    p = colon != NULL ? strndup(colon + 1, at - user_end - 1) : NULL;
    if (c == NULL || (user_end > start && u == NULL) || (colon != NULL && p == NULL)) {
        free(c);
        free(u);
        free(p);
        return -1;
    }
    *connect_uri = c;
    *user = u;
    *password = p;
    return 0;
}
