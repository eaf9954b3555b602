/* vs_msg: one message to deliver — an alarm change from the manager's threshold engine, or a
 * routed trap from the trap handler — as the spool stores it and every notifier reads it.
 * All text fields are untrusted (they carry VM names, host names and trap strings): each
 * notifier escapes them for its own channel. */
#ifndef VS_MSG_H
#define VS_MSG_H

#include <stddef.h>

#include <json-c/json.h>

typedef enum {
    VS_MSG_ALARM_RAISED = 1,  /* entered WARNING or CRITICAL (also a repeat, a de-escalation) */
    VS_MSG_ALARM_CLEARED = 2, /* back to OK after a notified raise */
    VS_MSG_TRAP = 3           /* a trap the trap handler routed */
} vs_msg_kind;

/* Numbering of VIRTSIGHT-MIB's VirtsightAlarmSeverity where it overlaps (warning 1, critical 2). */
typedef enum {
    VS_SEV_OK = 0,
    VS_SEV_WARNING = 1,
    VS_SEV_CRITICAL = 2,
    VS_SEV_INFO = 3 /* traps that carry no severity */
} vs_severity;

/* One varbind of a routed trap, as text (the SNMP forwarder re-encodes it from type + value). */
typedef struct {
    char *oid;   /* numeric, dotted, no leading dot: "1.3.6.1.2.1.1.3.0" */
    char *name;  /* symbolic name when known ("sysUpTime.0", "vsVmName.1.3"), else NULL */
    char type;   /* Net-SNMP snmp_add_var type letter: i u t a o s x d n c C U I F D b */
    char *value; /* as snmp_add_var takes it for that type (strings as raw bytes, may be any) */
    size_t value_len;
    char *text; /* the value rendered for people (enum names, decoded strings), NULL = value */
} vs_varbind;

typedef struct {
    vs_msg_kind kind;
    char *msg_id;   /* unique per message: "<alarm_id>.<seq>" or per routed trap */
    char *alarm_id; /* stable per alarm episode (same in raise, repeats and clear) */
    double time;    /* wall clock, seconds since the epoch, of the event (the crossing sample) */
    vs_severity severity;
    vs_severity previous;
    unsigned repeat; /* 0 for the first message of a state, n for the n-th repeat */
    char *host;      /* host name as configured (or the trap's source address) */
    char *resource;  /* "group/sub/host", "group/host/vm:NAME", "group/host/if:eth0" */
    char *metric;    /* "vm.cpu.util"; for traps the notification name or numeric OID */
    char *value;     /* formatted value ("97.3") */
    char *threshold; /* the threshold crossed as configured ("95", "@10:20") */
    char *rule;      /* the rule's name (alarms) or routing rule (traps) */
    char *summary;   /* one line for people, built by the producer from the fields above */
    /* traps only */
    char *source;    /* transport address the trap came from */
    char *trap_oid;  /* numeric snmpTrapOID.0 */
    vs_varbind *vbs; /* in received order, sysUpTime.0 and snmpTrapOID.0 included */
    size_t n_vbs;
} vs_msg;

/* Free every field and the struct itself (NULL is fine). */
void vs_msg_free(vs_msg *m);

/* A deep copy, or NULL when memory is short. */
vs_msg *vs_msg_dup(const vs_msg *m);

/* JSON form used in spool files. Strings stay byte-exact, invalid UTF-8 included (json-c
 * writes bytes >= 0x80 as they are and reads them back unvalidated); a varbind value that holds
 * a NUL byte is stored as hex ("value_hex"). vs_msg_to_json returns a new object or NULL; vs_msg_from_json returns NULL (and err) for an
 * object that is not a message. */
json_object *vs_msg_to_json(const vs_msg *m);
vs_msg *vs_msg_from_json(json_object *o, char *err, size_t errlen);

/* Name of a severity in capitals: "OK", "WARNING", "CRITICAL", "INFO". */
const char *vs_severity_name(vs_severity s);

#endif /* VS_MSG_H */
