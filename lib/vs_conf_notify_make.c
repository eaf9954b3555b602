/* vs_conf_notify_make: the notifier a <trap>, <email> or <slack> describes. Apart from the
 * reader, so that a program (or test) that only reads the configuration links none of the
 * notifiers' libraries (Net-SNMP, libESMTP, libcurl). */
#include "config.h"

#include "vs_conf_notify.h"

#include <stdio.h>
#include <string.h>

#include "vs_mail.h"
#include "vs_notify.h"
#include "vs_slack.h"
#include "vs_trapsend.h"

vs_notifier *vs_notify_cfg_make(const vs_notify_cfg *n, char *err, size_t errlen)
{
    switch (n->kind) {
    case VS_NOTIFY_TRAP: {
        vs_trapsend_conf c = { n->name,
                               n->target,
                               n->version,
                               n->inform,
                               n->community,
                               n->user,
                               n->auth_proto,
                               n->priv_proto,
                               n->auth_pass,
                               n->priv_pass,
                               n->timeout_ms / 1000.0,
                               n->retries };
        return vs_trapsend_new(&c, err, errlen);
    }
    case VS_NOTIFY_EMAIL: {
        vs_mail_conf c = {
            n->name,     n->server,
            n->port,     strcmp(n->tls, "none") == 0 ? VS_MAIL_TLS_NONE : VS_MAIL_TLS_STARTTLS,
            n->from,     (const char *const *)n->to,
            n->n_to,     n->mail_user,
            n->password, n->ca_file,
            n->timeout,  NULL
        };
        return vs_mail_new(&c, err, errlen);
    }
    case VS_NOTIFY_SLACK: {
        vs_slack_conf c = { n->name,    n->url, n->connect_timeout, n->timeout, n->min_interval,
                            n->ca_file, 0 };
        return vs_slack_new(&c, err, errlen);
    }
    }
    snprintf(err, errlen, "unknown kind of notifier");
    return NULL;
}
