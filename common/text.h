/* text.h — text for a terminal: other people's bytes (package metadata is anyone's text)
 * shown so that no control reaches the terminal, and lines laid out in its width.
 *
 * Visible forms: C0 and DEL as ^X (ESC is ^[), C1 (U+0080..U+009F in UTF-8) as <U+009B>, a
 * byte that is not UTF-8 (overlong, surrogate, past U+10FFFF, cut short) as \x9b. Columns are
 * counted as characters (UTF-8 sequences) of the visible form.
 */
#ifndef OMG_TEXT_H
#define OMG_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes S's visible form to F; KEEP_NL keeps newlines and tabs (multi-line fields). */
void omg_text_put_visible(FILE *f, const char *s, int keep_nl);
/* S's visible form in BUF (N bytes), cut to fit, never in the middle of a character. */
const char *omg_text_visible(const char *s, char *buf, size_t n);
/* The columns S takes. */
int omg_text_cols(const char *s);
/* S (visible) within N columns: whole, or cut after its last word that fits, with "...". */
void omg_text_put_cut(FILE *f, const char *s, int n);
/* S (visible) from column COL on, breaking lines at spaces so that none passes WIDTH (0: no
 * limit), continuation lines indented by INDENT; a word longer than a line stays whole. */
void omg_text_put_wrapped(FILE *f, const char *s, int col, int width, int indent);

#endif
