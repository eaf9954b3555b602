/* th_input: read the trap snmptrapd hands a `traphandle` program on its stdin (host line,
 * transport line, one "OID VALUE" record per varbind) into a th_trap, in linear time and
 * bounded memory, whatever the input holds. Reads every formatting snmptrapd produces:
 * -n -m '' -On -Oe -Ot -Ox (recommended: unambiguous), its defaults without MIBs, and with
 * MIBs loaded (symbolic OIDs, enumeration labels, display hints). See trap-handlers/README.md
 * for what each formatting loses. Needs no MIB files and no Net-SNMP initialisation. */
#ifndef TH_INPUT_H
#define TH_INPUT_H

#include <stddef.h>

#include "vs_msg.h"

/* Limits. snmptrapd never comes near them (a trap is one UDP datagram, < 64 KiB, which -Ox
 * prints in < 200 KiB); they bound what a broken or hostile writer can make us hold. */
#define TH_INPUT_MAX_BYTES ((size_t)4 << 20)    /* input past this is not kept (counted) */
#define TH_INPUT_MAX_VARBIND ((size_t)64 << 10) /* one record, continuation lines included */
#define TH_INPUT_MAX_VBS 1000                   /* varbinds kept; the rest counted, dropped */
#define TH_INPUT_MAX_HEADER 1024                /* host and transport lines are cut there */
#define TH_INPUT_MAX_OID_TOKEN 2048             /* longer first words are not OIDs */

/* th_trap_parse flags. */
enum {
    /* snmptrapd runs with -Ox: every quoted value is a hex string. Without the flag, a quoted
     * value in hex form is decoded when it holds a byte snmptrapd would not print as text, or
     * when the trap shows -Ox is on (a hex string of printable bytes, and no quoted text). */
    TH_INPUT_HEX = 1
};

/* What was refused, by kind: the program logs one line per kind that happened. */
typedef enum {
    TH_REFUSED_INPUT_CAP = 0, /* bytes past TH_INPUT_MAX_BYTES: not parsed */
    TH_REFUSED_LONG_VARBIND,  /* a record past TH_INPUT_MAX_VARBIND: value replaced by a marker */
    TH_REFUSED_LONG_HEADER,   /* host or transport line past TH_INPUT_MAX_HEADER: cut */
    TH_REFUSED_TOO_MANY,      /* varbinds past TH_INPUT_MAX_VBS: dropped */
    TH_REFUSED_BAD_LINE,      /* a line that starts no "OID VALUE" record: dropped */
    TH_REFUSED_NUL,           /* NUL bytes outside hex strings: shown as '?' */
    TH_REFUSED_TRUNCATED,     /* input ended before the transport line or inside a quoted value */
    TH_REFUSED_NO_TRAP_OID,   /* no snmpTrapOID.0 varbind (or its value is not an OID) */
    TH_REFUSED_KINDS
} th_refusal_kind;

typedef struct {
    size_t count;      /* how many times (lines, varbinds or bytes, as the kind says) */
    size_t first_line; /* 1-based input line of the first one (0 when not tied to a line) */
} th_refusal;

typedef struct {
    char *host;      /* line 1: the sender's name, or (snmptrapd -n) the transport again */
    char *transport; /* line 2: "UDP: [127.0.0.1]:41981->[127.0.0.1]:1162" */
    char *src_addr;  /* the sender's IP address from the transport ("127.0.0.1", "::1"), checked
                        with inet_pton; NULL when there is none */
    char *trap_oid;  /* numeric snmpTrapOID.0 value, resolved from a known name; else NULL */
    char *trap_name; /* the snmpTrapOID.0 value as given when it could not be made numeric */
    /* In received order, sysUpTime.0 and snmpTrapOID.0 included. oid is numeric when it could
     * be derived (numeric input, or a name the generated table knows) and NULL otherwise, with
     * name then holding the OID as given. name is "label.instance" for known OIDs. type is the
     * object's syntax when the table knows it, else inferred from the value's shape (snmptrapd
     * prints no types): 'i' 'u' 'C' 'I' numbers by range, 'D' decimals, 't' time ticks, 'a'
     * dotted quads, 'o' OIDs, 'n' NULL, 's' the rest. value: numbers as decimal text, OIDs
     * numeric when known, strings as raw bytes (hex decoded, quotes and escapes removed).
     * text: the form snmptrapd printed when it differs from value (enum label, time ticks
     * "0:0:00:42.00", units), else NULL. */
    vs_varbind *vbs;
    size_t n_vbs;
    th_refusal refused[TH_REFUSED_KINDS];
    size_t input_bytes; /* bytes offered, including those past the cap */
} th_trap;

/* Parse len bytes of handler input (any bytes at all). Returns a trap, possibly with no
 * varbinds and refusals recorded, or NULL only when memory is short. Does not log. */
th_trap *th_trap_parse(const char *buf, size_t len, unsigned flags);

/* Read fd to its end (keeping at most TH_INPUT_MAX_BYTES, counting and discarding the rest so
 * the writer is never blocked) and parse it. Returns 0 and *out, or -1 with errno set when
 * reading failed or memory is short. Does not log. */
int th_trap_read_fd(int fd, unsigned flags, th_trap **out);

/* Free the trap and everything in it; NULL is fine. */
void th_trap_free(th_trap *t);

/* A short English phrase for a refusal kind, for the log: "lines that are no varbind". */
const char *th_refusal_describe(th_refusal_kind k);

/* Whether anything was refused. */
int th_trap_has_refusals(const th_trap *t);

#endif /* TH_INPUT_H */
