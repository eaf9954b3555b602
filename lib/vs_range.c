/* vs_range: Nagios threshold ranges, parsed strictly and evaluated with hysteresis. */
#include "config.h"

#include "vs_range.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vs_num.h"

#define NUM_MAX 64 /* longest number text we take: far more than any double needs */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Parse the n bytes at s as one number of the range ("~" for minus infinity only where
 * allow_tilde). 0 or -1 with err set; what names the part in the message ("start", "end"). */
static int parse_bound(const char *s, size_t n, int allow_tilde, const char *what, double *out,
                       char *err, size_t errlen)
{
    char num[NUM_MAX];

    if (n == 1 && s[0] == '~') {
        if (!allow_tilde) {
            set_err(err, errlen,
                    "'~' (minus infinity) can only start a range; leave the end empty for plus "
                    "infinity");
            return -1;
        }
        *out = -INFINITY;
        return 0;
    }
    if (n >= sizeof(num)) {
        set_err(err, errlen, "the %s is too long to be a number", what);
        return -1;
    }
    memcpy(num, s, n);
    num[n] = '\0';
    if (vs_num_parse_double(num, out) < 0 || !isfinite(*out)) {
        set_err(err, errlen, "the %s '%s' is not a decimal number", what, num);
        return -1;
    }
    return 0;
}

/* Parse "START:[END]" (p, after any '@') into v. */
static int parse_pair(const char *p, const char *colon, vs_range *v, char *err, size_t errlen)
{
    if (strchr(colon + 1, ':') != NULL) {
        set_err(err, errlen, "the range has more than one ':'");
        return -1;
    }
    if (colon == p) {
        set_err(err, errlen, "nothing comes before ':' (write ~ for minus infinity)");
        return -1;
    }
    if (parse_bound(p, (size_t)(colon - p), 1, "start", &v->start, err, errlen) < 0)
        return -1;
    if (colon[1] == '\0')
        v->end = INFINITY;
    else if (parse_bound(colon + 1, strlen(colon + 1), 0, "end", &v->end, err, errlen) < 0)
        return -1;
    if (v->start > v->end) {
        set_err(err, errlen, "the start %g is greater than the end %g", v->start, v->end);
        return -1;
    }
    if (isinf(v->start) && isinf(v->end)) {
        set_err(err, errlen, "the range ~: covers every value, so it would %s",
                v->inside ? "always alert and never clear" : "never alert");
        return -1;
    }
    return 0;
}

int vs_range_parse(const char *text, vs_range *r, char *err, size_t errlen)
{
    vs_range v = { 0.0, 0.0, 0, 0 };

    if (text == NULL || text[0] == '\0') {
        set_err(err, errlen, "the range is empty");
        return -1;
    }
    if (strpbrk(text, " \t\r\n\v\f") != NULL) {
        set_err(err, errlen, "the range contains a blank");
        return -1;
    }
    const char *p = text;
    if (*p == '@') {
        v.inside = 1;
        p++;
    }
    const char *colon = strchr(p, ':');
    if (colon != NULL) {
        if (parse_pair(p, colon, &v, err, errlen) < 0)
            return -1;
    } else if (*p == '\0') {
        set_err(err, errlen, "nothing follows '@'");
        return -1;
    } else {
        if (parse_bound(p, strlen(p), 0, "end", &v.end, err, errlen) < 0)
            return -1;
        v.implied_start = 1;
        if (v.end < 0) {
            set_err(err, errlen,
                    "a single number N means 0:N, and %g is below 0 (write ~:%g or %g: instead)",
                    v.end, v.end, v.end);
            return -1;
        }
    }
    *r = v;
    return 0;
}

int vs_range_alert(const vs_range *r, double v)
{
    if (isnan(v))
        return 0;
    int in = v >= r->start && v <= r->end;
    return r->inside ? in : !in;
}

int vs_range_clear(const vs_range *r, double v, double hyst)
{
    if (isnan(v))
        return 0;
    /* The hysteresis moves each side the user set, not the 0 that "N" implies: with
     * warning="80" and 5 of hysteresis, 3 is clear and 76 is not. */
    double lo_h = r->implied_start ? 0.0 : hyst;
    if (r->inside)
        return v < r->start - lo_h || v > r->end + hyst;
    /* -inf + hyst and +inf - hyst stay infinite: an open side stays open. */
    return v >= r->start + lo_h && v <= r->end - hyst;
}

int vs_range_clearable(const vs_range *r, double hyst)
{
    if (r->inside)
        return !(isinf(r->start) && isinf(r->end));
    return r->start + (r->implied_start ? 0.0 : hyst) <= r->end - hyst;
}

/* Write x as an integer when it is one of moderate size ("10", not "1e+01"), else in the
 * shortest %g form that reads back as x. */
static int format_num(char *buf, size_t len, double x)
{
    if (x == floor(x) && fabs(x) < 1e15) {
        int n = snprintf(buf, len, "%.0f", x);
        return n < 0 || (size_t)n >= len ? -1 : n;
    }
    for (int prec = 1; prec <= 17; prec++) {
        int n = snprintf(buf, len, "%.*g", prec, x);
        if (n < 0 || (size_t)n >= len)
            return -1;
        double back;
        if (vs_num_parse_double(buf, &back) == 0 && back == x)
            return n;
    }
    return -1;
}

int vs_range_format(const vs_range *r, char *buf, size_t len)
{
    size_t pos = 0;
    int n;

    if (len == 0)
        return -1;
    buf[0] = '\0';
    if (r->inside) {
        if (len < 2)
            return -1;
        buf[pos++] = '@';
        buf[pos] = '\0';
    }
    if (r->start == 0 && isfinite(r->end)) {
        /* "N" is 0:N, the shortest form. */
        n = format_num(buf + pos, len - pos, r->end);
    } else if (isinf(r->start)) {
        n = snprintf(buf + pos, len - pos, "~:");
        if (n >= 0 && (size_t)n < len - pos) {
            pos += (size_t)n;
            n = format_num(buf + pos, len - pos, r->end);
        } else {
            n = -1;
        }
    } else {
        n = format_num(buf + pos, len - pos, r->start);
        if (n >= 0 && (size_t)n + 1 < len - pos) {
            pos += (size_t)n;
            buf[pos++] = ':';
            buf[pos] = '\0';
            n = isinf(r->end) ? 0 : format_num(buf + pos, len - pos, r->end);
        } else {
            n = -1;
        }
    }
    if (n < 0) {
        buf[0] = '\0';
        return -1;
    }
    return 0;
}
