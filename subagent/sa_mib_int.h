/* sa_mib_int.h: helpers shared by the files that fill in cell values (sa_mib*.c). */
#ifndef SA_MIB_INT_H
#define SA_MIB_INT_H

#include <string.h>
#include <time.h>

#include "sa_mib.h"

#define COLS(first, last) ((((uint64_t)1 << ((last) + 1)) - 1) & ~(((uint64_t)1 << (first)) - 1))

static inline int v_num(sa_value *v, u_char type, long n)
{
    v->type = type;
    v->num = n;
    return 0;
}

static inline int v_c64(sa_value *v, uint64_t n)
{
    v->type = ASN_COUNTER64;
    v->u64 = n;
    return 0;
}

static inline int v_bytes(sa_value *v, const void *p, size_t len)
{
    v->type = ASN_OCTET_STR;
    v->str = p;
    v->len = len;
    return 0;
}

/* A string cut to max octets, backing off to the start of a UTF-8 character. */
static inline int v_str(sa_value *v, const char *s, size_t max)
{
    size_t len = strlen(s);
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    return v_bytes(v, s, len);
}

static inline int v_time(sa_value *v, time_t t)
{
    size_t n = sa_mib_date_and_time(t, v->buf);
    return v_bytes(v, v->buf, n);
}

/* Seconds from t to now, never negative. */
static inline long age(time_t t)
{
    time_t now = time(NULL);
    return now > t ? (long)(now - t) : 0;
}

#endif /* SA_MIB_INT_H */
