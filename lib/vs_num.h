/* vs_num: strict parsing of numbers from text, the only place strtol and friends are called. */
#ifndef VS_NUM_H
#define VS_NUM_H

/* Parse all of s as a decimal integer within [min, max] into *out. Leading blanks, a sign
 * (for vs_num_parse_long), and digits; nothing may follow. Returns 0, or -1 for empty text,
 * other characters, overflow or a value out of range, leaving *out alone. Does not log: the
 * caller knows where the text came from and says so. */
int vs_num_parse_long(const char *s, long min, long max, long *out);

/* As vs_num_parse_long for unsigned values up to max; a minus sign is refused. */
int vs_num_parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* As vs_num_parse_ulong for 64-bit values. */
int vs_num_parse_u64(const char *s, unsigned long long max, unsigned long long *out);

/* Parse a decimal number (digits, optional fraction and exponent, as strtod takes them, but no
 * hexadecimal, infinity or NaN) into *out. Returns 0 or -1 as above. */
int vs_num_parse_double(const char *s, double *out);

#endif /* VS_NUM_H */
