/* vs_range: Nagios threshold ranges ("10", "10:", "~:10", "10:20", "@10:20"): parsing,
 * whether a value alerts, whether it has come back far enough to clear, and text again. */
#ifndef VS_RANGE_H
#define VS_RANGE_H

#include <stddef.h>

/* A range [start, end] (start may be -INFINITY, end +INFINITY). An "outside" range alerts on
 * values outside it; an "inside" (@) range alerts on values inside it. */
typedef struct {
    double start;
    double end;
    int inside;        /* 1 for "@start:end" */
    int implied_start; /* the single-number form "N": the 0 start is Nagios's default, not a
                          threshold anyone set, so the hysteresis leaves that side alone */
} vs_range;

/* Parse text strictly into *r:
 *   "N"      alert if v < 0 or v > N        (0:N; N must not be below 0)
 *   "N:"     alert if v < N                 (N:+inf)
 *   "~:N"    alert if v > N                 (-inf:N)
 *   "N:M"    alert if v < N or v > M        (N <= M)
 *   "@..."   any of the above, alerting inside instead of outside
 * Numbers are decimal (fraction and exponent allowed); no blanks, no "inf", no hex. Returns 0,
 * or -1 with a sentence saying what is wrong in err (which does not repeat the whole text,
 * so the caller can prefix "file:line: warning=...:"). Does not log; *r is untouched on error. */
int vs_range_parse(const char *text, vs_range *r, char *err, size_t errlen);

/* Whether v alerts against r: 1 or 0. A NaN is no sample and never alerts (callers skip it). */
int vs_range_alert(const vs_range *r, double v);

/* Whether v has come back past r by at least hyst (>= 0): 1 or 0. For an outside range v must
 * lie in [start + hyst, end - hyst] (an infinite side stays infinite); for an inside range v
 * must lie below start - hyst or above end + hyst. With hyst 0 this is !vs_range_alert. A NaN
 * gives 0 (nothing is known, so nothing clears). */
int vs_range_clear(const vs_range *r, double v, double hyst);

/* Whether some value clears r with this hysteresis: 0 when an outside range is narrower than
 * 2 * hyst (or "@~:", which covers everything). Config checks use it to refuse a threshold
 * that could never clear. */
int vs_range_clearable(const vs_range *r, double hyst);

/* Write r in the shortest text vs_range_parse reads back to the same range ("10", "10:",
 * "~:10", "10:20", "@10:20"). Returns 0, or -1 when buf is too small (buf then holds ""). */
int vs_range_format(const vs_range *r, char *buf, size_t len);

#endif /* VS_RANGE_H */
