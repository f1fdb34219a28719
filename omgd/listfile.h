/* listfile.h — read a package list in whatever compression apt left it (plain, .lz4, .gz,
 * .xz, .zst, .bz2: libarchive detects it) as a stream of whole deb822 paragraphs. */
#ifndef OMGD_LISTFILE_H
#define OMGD_LISTFILE_H

#include <stddef.h>
#include <stdint.h>

/* Called with a buffer holding whole paragraphs; BASE is the buffer's offset in the
 * decompressed stream. A non-zero return stops the read and is returned. */
typedef int (*listfile_fn)(void *ctx, const char *buf, size_t len, uint64_t base);

int listfile_read(const char *path, listfile_fn fn, void *ctx);
/* The same for line-oriented files (apt-file's Contents): buffers end at a newline. */
int listfile_read_lines(const char *path, listfile_fn fn, void *ctx);
/* Every decompressed byte, in order, in chunks of no particular boundary (hashing: a
 * Contents index has no blank line to cut at); a damaged stream is OMG_E_CORRUPT. */
int listfile_read_raw(const char *path, listfile_fn fn, void *ctx);
/* The whole decompressed file into *OUT (malloc'd, NUL-terminated, room for one more byte
 * after the NUL) and *LEN: OMG_OK, OMG_E_TOOBIG over MAX bytes (WHAT names it in the error),
 * OMG_E_NOMEM, or listfile_read_raw's errors. */
int listfile_read_all(const char *path, size_t max, const char *what, char **out, size_t *len);
/* Copies LEN bytes at decompressed offset OFF into OUT (LEN + 1 bytes, NUL-terminated). */
int listfile_extract(const char *path, int compressed, uint64_t off, uint32_t len, char *out);

#endif
