/* sa_config: the subagent's configuration directives, declared once in a table with their
 * help text and parser, read by Net-SNMP's configuration reader. */
#include "config.h"

#include "sa_config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vs_num.h"

#define DEFAULT_STATE_DIR "/var/lib/virtsight"
#define WORD_MAX 1024

/* The configuration being read: Net-SNMP's parsers take no context argument. */
static sa_config *cfg_now;

/* Report a bad value at the current file and line, as Net-SNMP does for its own directives. */
static void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void bad(const char *fmt, ...)
{
    char msg[WORD_MAX + 200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    config_perror(msg);
}

/* Parse an unsigned number within [min, max] for directive token; 0 or -1 (reported). */
static int parse_uint(const char *token, const char *line, unsigned long min, unsigned long max,
                      unsigned *out)
{
    char word[WORD_MAX];
    unsigned long v;
    char *rest = copy_nword((char *)line, word, sizeof(word));
    if (rest != NULL || vs_num_parse_ulong(word, max, &v) < 0 || v < min) {
        char msg[WORD_MAX + 200];
        snprintf(msg, sizeof(msg), "%s takes one whole number from %lu to %lu, not \"%s\".", token,
                 min, max, line);
        config_perror(msg);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* hypervisor NAME URI [index N] */
static void parse_hypervisor(const char *token, char *line)
{
    char name[WORD_MAX], uri[WORD_MAX], key[WORD_MAX], num[WORD_MAX];
    sa_config *c = cfg_now;
    long index = 0;
    (void)token;

    char *rest = copy_nword(line, name, sizeof(name));
    if (name[0] == '\0')
        return bad("hypervisor needs a name and a libvirt URI: hypervisor NAME URI [index N].");
    if (rest == NULL)
        return bad("hypervisor %s has no libvirt URI.", name);
    rest = copy_nword(rest, uri, sizeof(uri));
    if (uri[0] == '\0')
        return bad("hypervisor %s has no libvirt URI.", name);
    if (rest != NULL) {
        rest = copy_nword(rest, key, sizeof(key));
        if (strcmp(key, "index") != 0 || rest == NULL)
            return bad("hypervisor takes only \"index N\" after the URI, not \"%s\".", key);
        rest = copy_nword(rest, num, sizeof(num));
        if (rest != NULL || vs_num_parse_long(num, 1, 2147483647L, &index) < 0)
            return bad("hypervisor index must be a whole number from 1 to 2147483647, not "
                       "\"%s\".",
                       num);
    }
    if (strlen(name) > 64)
        return bad("hypervisor name \"%s\" is longer than 64 characters.", name);
    for (size_t i = 0; i < c->n_hv; i++) {
        if (strcmp(c->hv[i].name, name) == 0)
            return bad("hypervisor %s is configured twice.", name);
    }
    if (c->n_hv == SA_CONFIG_MAX_HV)
        return bad("more than %d hypervisors are configured.", SA_CONFIG_MAX_HV);
    c->hv[c->n_hv].name = strdup(name);
    c->hv[c->n_hv].uri = strdup(uri);
    c->hv[c->n_hv].index = (int32_t)index;
    c->hv_has_index[c->n_hv] = index != 0;
    if (c->hv[c->n_hv].name == NULL || c->hv[c->n_hv].uri == NULL)
        return bad("out of memory reading hypervisor %s.", name);
    c->n_hv++;
}

static void parse_refresh(const char *token, char *line)
{
    parse_uint(token, line, 1, 3600, &cfg_now->refresh_interval);
}

static void parse_hold_down(const char *token, char *line)
{
    parse_uint(token, line, 0, 3600, &cfg_now->hold_down);
}

/* "yes" or "no" into *flag, or a configuration error naming the directive. */
static void parse_yes_no(const char *token, char *line, int *flag)
{
    char word[WORD_MAX];
    char *rest = copy_nword(line, word, sizeof(word));
    if (rest == NULL && strcasecmp(word, "yes") == 0)
        *flag = 1;
    else if (rest == NULL && strcasecmp(word, "no") == 0)
        *flag = 0;
    else
        bad("%s takes yes or no, not \"%s\".", token, line);
}

static void parse_power(const char *token, char *line)
{
    parse_yes_no(token, line, &cfg_now->power_control);
}

static void parse_events(const char *token, char *line)
{
    parse_yes_no(token, line, &cfg_now->lifecycle_events);
}

static void parse_state_dir(const char *token, char *line)
{
    char word[WORD_MAX];
    char *rest = copy_nword(line, word, sizeof(word));
    (void)token;
    if (rest != NULL || word[0] != '/')
        return bad("stateDir takes one absolute directory path, not \"%s\".", line);
    char *d = strdup(word);
    if (d == NULL)
        return bad("out of memory reading stateDir %s.", word);
    free(cfg_now->state_dir);
    cfg_now->state_dir = d;
}

/* Every directive: name, parser, and the help -H prints. */
static const struct {
    const char *token;
    void (*parse)(const char *, char *);
    const char *help;
} directives[] = {
    { "hypervisor", parse_hypervisor, "NAME URI [index N]" },
    { "refreshInterval", parse_refresh, "SECONDS (1-3600, default 5)" },
    { "powerControl", parse_power, "yes|no (default no)" },
    { "stateDir", parse_state_dir, "PATH (default " DEFAULT_STATE_DIR ")" },
    { "notifyHoldDown", parse_hold_down, "SECONDS (0-3600, default 5)" },
    { "lifecycleEvents", parse_events, "yes|no (default yes)" },
};

void sa_config_register(sa_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->refresh_interval = 5;
    cfg->power_control = 0;
    cfg->hold_down = 5;
    cfg->lifecycle_events = 1;
    cfg->state_dir = strdup(DEFAULT_STATE_DIR);
    cfg_now = cfg;
    for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
        register_app_config_handler(directives[i].token, directives[i].parse, NULL,
                                    directives[i].help);
}

int sa_config_finish(sa_config *cfg, const char *source)
{
    int rc = 0;

    if (cfg->state_dir == NULL) {
        fprintf(stderr, "%s: out of memory.\n", source);
        return -1;
    }
    if (cfg->n_hv == 0) {
        fprintf(stderr, "%s: no hypervisor is configured: add a line \"hypervisor NAME URI\".\n",
                source);
        return -1;
    }
    for (size_t i = 0; i < cfg->n_hv; i++) {
        if (!cfg->hv_has_index[i])
            cfg->hv[i].index = (int32_t)(i + 1);
    }
    for (size_t i = 0; i < cfg->n_hv; i++) {
        for (size_t j = i + 1; j < cfg->n_hv; j++) {
            if (cfg->hv[i].index != cfg->hv[j].index)
                continue;
            fprintf(stderr,
                    "%s: hypervisors %s and %s both have index %d (an index not given is the "
                    "hypervisor's position in the file).\n",
                    source, cfg->hv[i].name, cfg->hv[j].name, (int)cfg->hv[i].index);
            rc = -1;
        }
    }
    return rc;
}

void sa_config_free(sa_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->n_hv; i++) {
        free((char *)cfg->hv[i].name);
        free((char *)cfg->hv[i].uri);
    }
    free(cfg->state_dir);
    cfg->n_hv = 0;
    cfg->state_dir = NULL;
    if (cfg_now == cfg)
        cfg_now = NULL;
}
