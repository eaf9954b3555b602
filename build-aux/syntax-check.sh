#!/bin/sh
# make syntax-check: the style rules a reviewer should not have to remember, checked by grep
# (and clang-format) over the C and shell sources. Prints each offence as file:line and exits
# non-zero if there is any.
#
# usage: syntax-check.sh SRCDIR
set -u
top=${1:-.}
cd "$top" || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/vs-syntax.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The files to check: what git knows of (committed or not yet added), else everything found.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list() { git ls-files --cached --others --exclude-standard -- "$@"; }
else
    list() {
        for pat in "$@"; do
            case $pat in
                */*) test=-path pat="./$pat" ;;
                *) test=-name ;;
            esac
            find . -path ./.deps -prune -o -path './build*' -prune -o -type f $test "$pat" -print \
                | sed 's|^\./||'
        done
    }
fi
# Generated files are not ours to style.
c_files=$(list '*.c' '*.h' | grep -v -e '^lib/vs_mib\.h$' -e '^config\.h$' | sort -u)
sh_files=$(list '*.sh' '*.test' | sort -u)
mib_files=$(list 'mib/*.txt' | sort -u)

# report RULE: print the offending lines read on stdin, if any, and record the failure. It runs
# at the end of pipelines, in a subshell: the failure is recorded in a file, not a variable.
report() {
    if grep . >"$work/lines"; then
        echo "syntax-check: $1:"
        sed 's/^/    /' "$work/lines"
        touch "$work/failed"
    fi
}

# 1. Banned calls: unbounded string functions, non-reentrant tokenising, unchecked
#    conversions and anything that runs a shell.
[ -n "$c_files" ] && grep -HnE \
    '(^|[^A-Za-z0-9_])(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atoll|atof|system|popen)[[:space:]]*\(' \
    $c_files | report "banned call (use vs_buf, snprintf, strtok_r, vs_num_parse_*; never a shell)"

# 2. strtol and friends only inside vs_num.c, whose wrappers check errno, the end pointer and
#    the range: a bare call elsewhere is an unchecked conversion.
[ -n "$c_files" ] && grep -HnE '(^|[^A-Za-z0-9_])strto(l|ul|ll|ull|d|f|ld|imax|umax)[[:space:]]*\(' \
    $c_files | grep -v '^lib/vs_num\.c:' | report "strtol-family call outside lib/vs_num.c"

# 3. Layout: no tabs in C, shell or MIB sources; no trailing blanks.
[ -n "$c_files$sh_files$mib_files" ] && grep -HnP '\t' $c_files $sh_files $mib_files \
    | report "tab character"
[ -n "$c_files$sh_files$mib_files" ] && grep -HnE '[[:space:]]+$' $c_files $sh_files $mib_files \
    | report "trailing blank"

# 4. MIB comments: in ASN.1 a second "--" on a line ends the comment, and what follows is
#    parsed as MIB text (Net-SNMP does so; libsmi does not warn).
[ -n "$mib_files" ] && grep -HnE -- '--.*--' $mib_files | report "MIB line with two comment markers"

# 5. Every C file opens with a comment saying what it is for.
for f in $(echo "$c_files" | grep '\.c$'); do
    head -n 1 "$f" | grep -q '^/\*' || echo "$f:1: no opening comment"
done | report "file without an opening comment"

# 6. Formatting as .clang-format says.
if command -v clang-format >/dev/null 2>&1; then
    [ -n "$c_files" ] && clang-format --dry-run --Werror $c_files 2>&1 | grep 'error:' \
        | report "not formatted as .clang-format says (run clang-format -i on the file)"
else
    echo "syntax-check: clang-format is not installed (apt-get install clang-format)."
    touch "$work/failed"
fi

if [ -e "$work/failed" ]; then
    exit 1
fi
echo "syntax-check: $(echo "$c_files" | grep -c .) C files, $(echo "$sh_files" | grep -c .) scripts: clean"
