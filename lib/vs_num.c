/* vs_num: strict parsing of numbers from text, the only place strtol and friends are called. */
#include "config.h"

#include "vs_num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The first character after leading blanks. */
static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

int vs_num_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;

    if (s == NULL)
        return -1;
    s = skip_blanks(s);
    if (*s == '\0')
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int vs_num_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long long v;

    if (vs_num_parse_u64(s, max, &v) < 0)
        return -1;
    *out = (unsigned long)v;
    return 0;
}

int vs_num_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end = NULL;

    if (s == NULL)
        return -1;
    s = skip_blanks(s);
    /* strtoull takes "-1" and wraps it: only digits may start an unsigned value. */
    if (!isdigit((unsigned char)*s) && *s != '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

int vs_num_parse_double(const char *s, double *out)
{
    char *end = NULL;

    if (s == NULL)
        return -1;
    s = skip_blanks(s);
    /* Refuse what strtod takes but a config value should not be: hex, inf, nan. */
    if (strpbrk(s, "xXiInN") != NULL)
        return -1;
    if (*s == '\0')
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}
