/* grow.h — the one way omg grows memory: an array by doubling, and a byte buffer on top of it,
 * each never past the bound its owner states (as curl's dynbuf has its toobig).
 *
 * Contract: on any failure the array or buffer is left as it was (still valid, still owned by
 * the caller) and the code is returned through OMG_ERROR: OMG_E_TOOBIG when the bound would be
 * passed, OMG_E_NOMEM when realloc fails. Nothing here prints or aborts.
 */
#ifndef OMG_GROW_H
#define OMG_GROW_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* No bound but the address space: for arrays whose size the input already bounds (one entry
 * per package, per line of a file that was itself read under a cap). */
#define OMG_GROW_UNBOUNDED SIZE_MAX

/* Makes *ARRAY (ARRAY is the address of the array's pointer, of any element type) hold at
 * least NEED elements of SIZE bytes; *CAP is its capacity in elements. The capacity doubles,
 * from 16, and is never more than MAX elements. A NEED within *CAP does nothing. */
int omg_grow_to(void *array, size_t *cap, size_t need, size_t size, size_t max);
static inline int omg_grow(void *array, size_t *cap, size_t need, size_t size, size_t max)
{
	return need <= *cap ? 0 : omg_grow_to(array, cap, need, size, max); /* inline: hot loops */
}

/* The same for a capacity kept as uint32_t (the index's arrays, whose offsets are 32 bits);
 * MAX is at most UINT32_MAX. */
int omg_grow32_to(void *array, uint32_t *cap, uint32_t need, size_t size, uint32_t max);
static inline int omg_grow32(void *array, uint32_t *cap, uint32_t need, size_t size, uint32_t max)
{
	return need <= *cap ? 0 : omg_grow32_to(array, cap, need, size, max);
}

/* Bytes: P holds LEN bytes and a NUL after them (P is NULL until the first add). The first
 * failure sticks in FAILED (its code) and makes every later add fail with it, so that a
 * writer of many pieces checks once at the end. */
struct omg_buf {
	char *p;
	size_t len, cap;
	size_t max; /* the most bytes it may hold, not counting the NUL; 0: no bound but memory,
	             * so that a zeroed omg_buf is ready (a bounded one says its bound) */
	int failed;
};

#define OMG_BUF_INIT(max_bytes) { NULL, 0, 0, (max_bytes), 0 }

/* Appends N bytes (N may be 0: P then holds at least the NUL). */
int omg_buf_add(struct omg_buf *b, const void *p, size_t n);
/* Appends LINE, after a '\n' when B already holds something: lines joined by newlines. */
int omg_buf_addline(struct omg_buf *b, const char *line);
/* Appends what FMT makes. */
int omg_buf_addf(struct omg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int omg_buf_vaddf(struct omg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Frees P and forgets a failure; B can be used again, with the same bound. */
void omg_buf_free(struct omg_buf *b);

#endif
