/* vs_netsnmp: Net-SNMP's client-side set-up shared by the programs, as vs_netsnmp.h says. */
#include <config.h>

#include "vs_netsnmp.h"
#include "vs_usm.h"

#include <string.h>
#include <syslog.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vs_log.h"
#include "vs_snmplock.h"

/* Net-SNMP's own log lines, into ours (one sink), without their line ends. */
static int netsnmp_log_line(int major, int minor, void *server_arg, void *client_arg)
{
    const struct snmp_log_message *m = server_arg;
    (void)major;
    (void)minor;
    (void)client_arg;
    size_t len = strlen(m->msg);
    while (len > 0 && (m->msg[len - 1] == '\n' || m->msg[len - 1] == '\r'))
        len--;
    vs_log_level level = m->priority <= LOG_ERR     ? VS_LOG_ERR
                         : m->priority >= LOG_DEBUG ? VS_LOG_DEBUG
                                                    : (vs_log_level)m->priority;
    if (len > 0)
        VS_LOG(level, NULL, "Net-SNMP: %.*s", (int)len, m->msg);
    return 1;
}

/* SNMP_PERSISTENT_DIR is still honoured for the little Net-SNMP creates there. */
void vs_netsnmp_setup(const char *app)
{
    static int done;
    if (done)
        return;
    done = 1;
    if (!snmp_get_do_logging()) {
        snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, netsnmp_log_line,
                               NULL);
        snmp_enable_calllog();
    }
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_NO_TOKEN_WARNINGS, 1);
    netsnmp_set_mib_directory("");
    char no_mibs[] = "mibs :"; /* an empty MIB list, as Debian's snmp.conf says */
    netsnmp_config_remember(no_mibs);
    vs_netsnmp_lock();
    init_snmp(app);
    vs_netsnmp_unlock();
}

/* ---------------------------------------------------------------- USM protocols */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const vs_usm_proto auth_protos[] = {
    { "SHA-256", usmHMAC192SHA256AuthProtocol, N_OF(usmHMAC192SHA256AuthProtocol) },
    { "SHA-384", usmHMAC256SHA384AuthProtocol, N_OF(usmHMAC256SHA384AuthProtocol) },
    { "SHA-512", usmHMAC384SHA512AuthProtocol, N_OF(usmHMAC384SHA512AuthProtocol) },
};

static const vs_usm_proto priv_protos[] = {
    { "AES", usmAESPrivProtocol, N_OF(usmAESPrivProtocol) },
    { "AES-128", usmAESPrivProtocol, N_OF(usmAESPrivProtocol) },
    { "AES-192", usmAES192PrivProtocol, N_OF(usmAES192PrivProtocol) },
    { "AES-256", usmAES256PrivProtocol, N_OF(usmAES256PrivProtocol) },
};

static const vs_usm_proto *usm_find(const vs_usm_proto *list, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++) {
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    }
    return NULL;
}

const vs_usm_proto *vs_usm_auth(const char *name)
{
    return usm_find(auth_protos, N_OF(auth_protos), name);
}

const vs_usm_proto *vs_usm_priv(const char *name)
{
    return usm_find(priv_protos, N_OF(priv_protos), name);
}
