/* grow.c — see grow.h. */
#include "config.h"
#include "grow.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW_FIRST 16

int omg_grow_to(void *array, size_t *cap, size_t need, size_t size, size_t max)
{
	void *p, *grown;
	size_t c;

	if (need <= *cap)
		return OMG_OK;
	if (need > max || need > SIZE_MAX / size)
		return OMG_ERROR(OMG_E_TOOBIG, "more than %zu entries", max < SIZE_MAX / size ? max : SIZE_MAX / size);
	c = *cap >= GROW_FIRST ? *cap : GROW_FIRST;
	while (c < need)
		c = c > SIZE_MAX / 2 ? need : c * 2;
	if (c > max)
		c = max;
	if (c > SIZE_MAX / size)
		c = need;
	/* the array's pointer is read and written as bytes: ARRAY points at a pointer of any
	 * object type, and they all have void *'s representation here */
	memcpy(&p, array, sizeof p);
	if (!(grown = realloc(p, c * size)))
		return OMG_ERROR(OMG_E_NOMEM, "%zu entries of %zu bytes", c, size);
	memcpy(array, &grown, sizeof grown);
	*cap = c;
	return OMG_OK;
}

int omg_grow32_to(void *array, uint32_t *cap, uint32_t need, size_t size, uint32_t max)
{
	size_t c = *cap;
	int rc = omg_grow_to(array, &c, need, size, max);

	if (rc == OMG_OK)
		*cap = (uint32_t)c;
	return rc;
}

/* The most bytes B may hold, not counting its NUL. */
static size_t buf_max(const struct omg_buf *b)
{
	return b->max && b->max < SIZE_MAX ? b->max : SIZE_MAX - 1;
}

/* Room for N more bytes and the NUL. */
static int buf_room(struct omg_buf *b, size_t n)
{
	if (b->failed)
		return b->failed;
	if (n > buf_max(b) - b->len)
		return b->failed = OMG_ERROR(OMG_E_TOOBIG, "more than %zu bytes", buf_max(b));
	return b->failed = omg_grow(&b->p, &b->cap, b->len + n + 1, 1, buf_max(b) + 1);
}

int omg_buf_add(struct omg_buf *b, const void *p, size_t n)
{
	if (buf_room(b, n) != OMG_OK)
		return b->failed;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return OMG_OK;
}

int omg_buf_addline(struct omg_buf *b, const char *line)
{
	if (b->len && omg_buf_add(b, "\n", 1) != OMG_OK)
		return b->failed;
	return omg_buf_add(b, line, strlen(line));
}

int omg_buf_vaddf(struct omg_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (b->failed || n < 0 || buf_room(b, (size_t)n) != OMG_OK) {
		va_end(again);
		if (!b->failed)
			b->failed = OMG_ERROR(OMG_E_INVAL, "a format omg_buf_addf cannot write");
		return b->failed;
	}
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
	va_end(again);
	b->len += (size_t)n;
	return OMG_OK;
}

int omg_buf_addf(struct omg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = omg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void omg_buf_free(struct omg_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
