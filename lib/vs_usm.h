/* vs_usm: the SNMPv3 USM protocols virtsight accepts, by the names its configurations use:
 * SHA-256, SHA-384 and SHA-512 for authentication, AES (= AES-128), AES-192 and AES-256 for
 * privacy. MD5, SHA-1 and DES are not in the tables, so a look-up refuses them. */
#ifndef VS_USM_H
#define VS_USM_H

#include <stddef.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

typedef struct {
    const char *name;
    const oid *o;
    size_t len;
} vs_usm_proto;

/* The authentication or privacy protocol called name, or NULL (NULL name too). */
const vs_usm_proto *vs_usm_auth(const char *name);
const vs_usm_proto *vs_usm_priv(const char *name);

#endif /* VS_USM_H */
