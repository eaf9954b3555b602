/* th_logfile: a route's log-file action: one line per routed trap, appended with one write() so
 * concurrent handler processes never interleave, with every untrusted byte made harmless. */
#ifndef TH_LOGFILE_H
#define TH_LOGFILE_H

#include <stddef.h>

#include "vs_msg.h"

/* Size of a line buffer: a line is at most TH_LOGFILE_LINE_MAX - 1 bytes, newline included,
 * then a NUL. SOURCE and TRAP are cut at TH_LOGFILE_FIELD_MAX bytes each. What is cut ends in
 * "...". */
#define TH_LOGFILE_LINE_MAX 4096
#define TH_LOGFILE_FIELD_MAX 256

/* Format "TIME SOURCE TRAP SUMMARY\n" into out (TH_LOGFILE_LINE_MAX bytes, NUL-terminated) and
 * return its length, newline included. TIME is local time, RFC 3339 to the second
 * ("2024-05-01T14:03:07+02:00"); SOURCE, TRAP (notification name or numeric OID) and SUMMARY
 * are untrusted: a backslash becomes "\\", tab, CR and LF "\t" "\r" "\n", other control bytes
 * and bytes of invalid UTF-8 "\xHH", C1 controls, line and paragraph separators and
 * bidirectional overrides "\u{XXXX}"; in SOURCE and TRAP a space is "\x20", so the first three
 * fields split on blanks. A missing or empty SOURCE or TRAP is "-". */
size_t th_logfile_format(char *out, double time, const char *source, const char *trap,
                         const char *summary);

/* Append len bytes (one formatted line) to path with a single write() on a descriptor opened
 * O_APPEND|O_CLOEXEC (the file is created 0640, less the umask). 0, or -1 with err (which
 * names the file); a short write (disk full) is an error, not retried, so no line is ever
 * split around another process's. Does not log. */
int th_logfile_append(const char *path, const char *line, size_t len, char *err, size_t errlen);

/* Format m (source, metric, summary) stamped with now and append it to path: as above. */
int th_logfile_write(const char *path, const vs_msg *m, double now, char *err, size_t errlen);

#endif /* TH_LOGFILE_H */
