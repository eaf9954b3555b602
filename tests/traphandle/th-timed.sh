#!/bin/bash
# th-timed.sh TIMES PROGRAM [ARG...]: run PROGRAM (standard input, output and error passed on)
# and append "START END" to TIMES, both in microseconds since the epoch, so that a test can
# tell how long each handler snmptrapd ran took from exec to exit. One short line per append:
# concurrent runs never interleave. Exits with PROGRAM's status.
times=$1
shift
t0=${EPOCHREALTIME//[!0-9]/}
"$@"
rc=$?
t1=${EPOCHREALTIME//[!0-9]/}
echo "$t0 $t1" >>"$times"
exit "$rc"
