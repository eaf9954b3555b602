/* sa_names: libvirt's numbers and URIs turned into the text VIRTSIGHT-MIB serves: a domain's
 * state and reason as virsh domstate --reason prints them, and a connection URI without the
 * credentials that may be written in it. */
#ifndef SA_NAMES_H
#define SA_NAMES_H

#include <stddef.h>

/* virsh's word for a virDomainState: "running", "idle" (BLOCKED), "paused", "in shutdown",
 * "shut off", "crashed", "pmsuspended", "no state" (NOSTATE and any unknown value). */
const char *sa_names_state(int state);

/* virsh's word for the reason of a state, for example "booted" for RUNNING reason BOOTED or
 * "crashed" for SHUTOFF reason CRASHED; "unknown" for a value libvirt does not name. */
const char *sa_names_reason(int state, int reason);

/* "state (reason)" into buf, as virsh domstate --reason prints it: "shut off (crashed)".
 * Returns buf (cut to size if it is too small, which 64 bytes never are). */
const char *sa_names_state_reason(int state, int reason, char *buf, size_t size);

/* A copy (malloc'd, the caller frees it) of uri with the user information of its authority
 * removed ("qemu+ssh://admin:secret@hv1:22/system" -> "qemu+ssh://hv1:22/system"); the rest is
 * kept as it is. NULL only when memory is short. */
char *sa_names_uri_public(const char *uri);

/* Split the user information of uri's authority: *user and *password (malloc'd, NULL when
 * absent) and *connect_uri, the URI with only the password removed ("user@" kept), which is
 * what libvirt should be given. Returns 0, or -1 when memory is short (nothing allocated). */
int sa_names_uri_credentials(const char *uri, char **connect_uri, char **user, char **password);

#endif /* SA_NAMES_H */
