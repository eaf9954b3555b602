/* th_render: a parsed trap -> the vs_msg every notifier delivers: the notification's name,
 * a severity, a one-line summary for people, and varbinds named and rendered (enumerations by
 * label, UUIDs, time ticks, binary strings as hex). Knows VIRTSIGHT-MIB's notifications and
 * the standard traps through the table generated from the MIBs (th_mib); renders any other
 * trap generically. No MIB is loaded and nothing is initialised at run time. */
#ifndef TH_RENDER_H
#define TH_RENDER_H

#include "th_input.h"
#include "vs_msg.h"

/* Longest summary, in bytes (cut at a character boundary, "..." appended). */
#define TH_SUMMARY_MAX 512

/* Build a VS_MSG_TRAP message from t, stamped with time now (seconds since the epoch):
 * host (the sender's name, or its address when snmptrapd did not resolve one), source (the
 * address the trap came from), trap_oid, metric (notification name, else the numeric OID),
 * severity (see README.md: per trap, INFO otherwise), resource/value/threshold where the
 * notification carries them, summary (one line of valid UTF-8, no control characters) and
 * every varbind with name and text. msg_id and rule are left NULL for the router. Returns
 * NULL only when memory is short. Does not log. */
vs_msg *th_render(const th_trap *t, double now);

/* The text people read for one varbind (enum "paused(8)", UUID, ticks "1 day, 02:03:04.05",
 * hex for bytes that are not printable UTF-8), newly allocated; NULL when the value itself
 * is the best text, or memory is short (*oom set). */
char *th_render_varbind_text(const vs_varbind *vb, int *oom);

#endif /* TH_RENDER_H */
