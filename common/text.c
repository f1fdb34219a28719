/* text.c — text for a terminal (text.h). */
#include "config.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

/* ---- control characters -------------------------------------------------------------
 * Package metadata is anyone's text: an escape sequence in a description could retitle,
 * recolour or rewrite the user's terminal. Text output shows every control visibly: C0
 * and DEL as ^X (ESC is ^[), C1 (U+0080..U+009F in UTF-8) as <U+009B>, a byte that is not
 * UTF-8 as \x9b. KEEP_NL keeps newlines (and tabs) of multi-line fields. */

/* Length of the valid UTF-8 sequence at P (1..4), or 0. */
static int utf8_len(const unsigned char *p)
{
	int n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;

	if (p[0] < 0x80)
		return 1;
	for (int i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] >= 0x90))
		return 0; /* overlong, surrogate or beyond U+10FFFF */
	return n;
}

/* Writes the visible form of the character at P into OUT (at least 12 bytes); returns the
 * bytes of P it stands for. */
static size_t visible_char(const unsigned char *p, int keep_nl, char *out, size_t *olen)
{
	int n = utf8_len(p);

	if (p[0] < 0x20 || p[0] == 0x7f) {
		if (keep_nl && (p[0] == '\n' || p[0] == '\t')) {
			out[0] = (char)p[0];
			*olen = 1;
		} else {
			out[0] = '^';
			out[1] = (char)(p[0] ^ 0x40);
			*olen = 2;
		}
		return 1;
	}
	if (n == 0) {
		*olen = (size_t)snprintf(out, 12, "\\x%02x", p[0]);
		return 1;
	}
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
		*olen = (size_t)snprintf(out, 12, "<U+%04X>", p[1]);
		return 2;
	}
	memcpy(out, p, (size_t)n);
	*olen = (size_t)n;
	return (size_t)n;
}

void omg_text_put_visible(FILE *f, const char *s, int keep_nl)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;

	while (*p) {
		char out[12];
		size_t olen, adv = visible_char(p, keep_nl, out, &olen);
		if (olen == adv && !memcmp(out, p, adv)) { /* shown as it is: keep the run going */
			p += adv;
			continue;
		}
		fwrite(run, 1, (size_t)(p - run), f);
		fwrite(out, 1, olen, f);
		p += adv;
		run = p;
	}
	fwrite(run, 1, (size_t)(p - run), f);
}

/* The visible form of S in BUF (cut to fit, never in the middle of a character). */
const char *omg_text_visible(const char *s, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;

	while (*p) {
		char out[12];
		size_t olen, adv = visible_char(p, 0, out, &olen);
		if (len + olen >= n)
			break;
		memcpy(buf + len, out, olen);
		len += olen;
		p += adv;
	}
	buf[len] = 0;
	return buf;
}

/* ---- the terminal's width ------------------------------------------------------------
 * On a terminal (s->width), lines are laid out to fit: a table's descriptions move to their
 * own line and are cut at a word, lists and texts break between words. A pipe gets every line
 * whole. Columns are counted as characters (UTF-8 sequences), visible forms. */
int omg_text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The byte offset in S at which N columns end. */
static size_t cols_end(const char *s, int n)
{
	size_t i = 0;

	for (int c = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == n)
			break;
	}
	return i;
}

/* S (visible) within N columns: whole, or cut after its last word that fits, with "...". */
void omg_text_put_cut(FILE *f, const char *s, int n)
{
	size_t end;

	if (omg_text_cols(s) <= n) {
		fputs(s, f);
		return;
	}
	end = cols_end(s, n > 3 ? n - 3 : 0);
	for (size_t i = end; i > 0; i--)
		if (s[i] == ' ') {
			end = i;
			break;
		}
	while (end > 0 && s[end - 1] == ' ')
		end--;
	fprintf(f, "%.*s...", (int)end, s);
}

/* S (visible) from column COL on, breaking lines at spaces so that none passes WIDTH (0: no
 * limit), continuation lines indented by INDENT; a word longer than a line stays whole. */
void omg_text_put_wrapped(FILE *f, const char *s, int col, int width, int indent)
{
	int fresh = 1; /* no word of S on this line yet */

	while (*s == ' ')
		s++;
	while (*s) {
		const char *sp = strchr(s, ' ');
		size_t len = sp ? (size_t)(sp - s) : strlen(s);
		char word[1024];
		int w;
		snprintf(word, sizeof word, "%.*s", (int)len, s);
		w = omg_text_cols(word);
		if (width && col > indent && col + !fresh + w > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!fresh) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, len, f);
		col += w;
		fresh = 0;
		s += len;
		while (*s == ' ')
			s++;
	}
}
