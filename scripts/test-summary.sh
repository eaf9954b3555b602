#!/bin/sh
# Print the result of a test run as its last line, "N passed, N failed", and exit 0 only if
# nothing failed. Counts automake's .trs files in the given build directories (a skipped test
# counts as failed: no test may be skipped) and the steps recorded in RESULTS, one line each:
# "PASS name" or "FAIL name" for a step that counts as a test, "CHECKFAIL dir" for a make check
# that failed (counted only when no failing test result in dir explains it).
#   test-summary.sh RESULTS BUILD-DIR...
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
results=$1
shift

passed=0
failed=0
for dir in "$@"; do
    [ -d "$top/$dir" ] || continue
    dir_failed=0
    for trs in $(find "$top/$dir" -name '*.trs' -not -path '*/virtsight-*/*' | sort); do
        res=$(sed -n 's/^:test-result: //p' "$trs")
        name=${trs%.trs}
        case $res in
            PASS | XFAIL) passed=$((passed + 1)) ;;
            *)
                failed=$((failed + 1))
                dir_failed=$((dir_failed + 1))
                echo "${res:-NO RESULT}: $dir/${name#"$top/$dir/"}"
                ;;
        esac
    done
    if grep -qx "CHECKFAIL $dir" "$results" 2>/dev/null && [ $dir_failed -eq 0 ]; then
        echo "FAIL: make check in $dir (no test result explains it)"
        failed=$((failed + 1))
    fi
done
while read -r res name; do
    case $res in
        PASS) passed=$((passed + 1)) ;;
        FAIL)
            failed=$((failed + 1))
            echo "FAIL: $name"
            ;;
    esac
done <"$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
