/* hex.h — hexadecimal digits, as the archive's hashes, dpkg's md5sums and apt's %-escapes write
 * them. */
#ifndef OMGD_HEX_H
#define OMGD_HEX_H

#include <stddef.h>

/* The value of hex digit C (either case), or -1. */
static inline int hex_value(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* N bytes at P as 2N lower-case digits and a NUL into OUT (2N + 1 bytes). */
static inline void hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

#endif
