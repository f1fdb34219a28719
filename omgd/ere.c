/* ere.c — see ere.h. */
#include "config.h"
#include "ere.h"
#include "omg_error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* glibc's regcomp doubles its automaton for each quantifier stacked on another ("a+++"):
 * 6 cost 0.06 ms, 20 a second and a gigabyte. "g++" and "c++" are everyday search terms. */
#define STACKED_MAX 4

/* The end of the bracket expression that starts at P ('['), or NULL if it is not closed:
 * "[]a]" and "[^]a]" hold a ']', and "[:alpha:]", "[.x.]", "[=x=]" hold anything. */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != ']'; p++)
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *close = p + 2;
			while (*close && !(close[0] == p[1] && close[1] == ']'))
				close++;
			if (!*close)
				return NULL;
			p = close + 1;
		}
	return *p ? p : NULL;
}

int ere_compile(regex_t *re, const char *pattern, int extra)
{
	int stacked = 0, counted = 0, rc;
	char why[128];

	for (const char *c = pattern; *c; c++) {
		int quant = *c == '*' || *c == '+' || *c == '?' || *c == '{';
		if (*c == '\\' && c[1]) {
			if (c[1] >= '1' && c[1] <= '9')
				return OMG_ERROR(OMG_E_INVAL, "'%s': back-references are not supported", pattern);
			c++;
			stacked = 0;
			continue;
		}
		if (*c == '[') {
			const char *end = bracket_end(c);
			if (!end)
				break; /* regcomp says what is wrong */
			c = end;
			stacked = 0;
			continue;
		}
		stacked = quant ? stacked + 1 : 0;
		if (stacked > STACKED_MAX)
			return OMG_ERROR(OMG_E_INVAL, "'%s': more than %d repetition operators in a row", pattern, STACKED_MAX);
		if (*c == '{') {
			char *end;
			unsigned long n = strtoul(c + 1, &end, 10);
			if (n > ERE_REPEAT_MAX || (*end == ',' && strtoul(end + 1, &end, 10) > ERE_REPEAT_MAX))
				return OMG_ERROR(OMG_E_INVAL, "'%s': a count over %d", pattern, ERE_REPEAT_MAX);
			/* two counted repetitions may nest: their product is the cost */
			if (++counted > 1)
				return OMG_ERROR(OMG_E_INVAL, "'%s': more than one counted repetition", pattern);
			c = *end == '}' ? end : c;
		}
	}
	if ((rc = regcomp(re, pattern, REG_EXTENDED | REG_ICASE | extra)) != 0) {
		regerror(rc, re, why, sizeof why);
		return OMG_ERROR(OMG_E_INVAL, "'%s': %s", pattern, why);
	}
	return OMG_OK;
}

int ere_is_plain(const char *pattern)
{
	for (const unsigned char *c = (const unsigned char *)pattern; *c; c++)
		if (*c >= 0x80 || strchr("\\.[]()*+?{}|^$", *c))
			return 0;
	return 1;
}

/* The end of the group that starts at P ('('), or NULL if it is not closed. */
static const char *group_end(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '[' && !(p = bracket_end(p)))
			return NULL;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return NULL;
}

int ere_required(const char *pattern, char *out, size_t cap)
{
	size_t at = 0, run = 0; /* OUT[at - run, at) is the run being read */
	int n = 0;

	/* An alternation outside every group: no text is required by all of its branches. */
	for (const char *c = pattern; *c; c++) {
		if (*c == '\\' && c[1])
			c++;
		else if ((*c == '[' && !(c = bracket_end(c))) || (*c == '(' && !(c = group_end(c))))
			return 0;
		else if (*c == '|')
			return 0;
	}
#define END_RUN() do { if (run) { if (at >= cap) return 0; out[at++] = 0; n++; run = 0; } } while (0)
	for (const char *c = pattern; *c; c++) {
		unsigned char ch = (unsigned char)*c;
		if (ch == '*' || ch == '?' || ch == '{' || ch == '+') {
			/* Quantifiers in a row apply to one atom: only '+' alone keeps it ("a+*" may
			 * have no a). Either way the next atom is not next to this one. */
			int optional = 0;
			for (c--; c[1] == '*' || c[1] == '?' || c[1] == '{' || c[1] == '+'; c++) {
				optional |= c[1] != '+';
				if (c[1] == '{')
					while (c[2] && c[1] != '}')
						c++;
			}
			if (optional && run) {
				at--;
				run--;
			}
			END_RUN();
			continue;
		}
		if (ch == '\\' && c[1] && !isalnum((unsigned char)c[1]) && !strchr("<>`'", c[1]) && (unsigned char)c[1] < 0x80)
			ch = (unsigned char)*++c; /* an escaped operator: itself */
		else if (ch == '\\' || ch == '.' || ch == '^' || ch == '$' || ch == '|' || ch == ')' || ch >= 0x80) {
			END_RUN(); /* GNU's \w \< \b ..., any character, anchors: no text of their own */
			c += ch == '\\' && c[1];
			continue;
		} else if (ch == '[' || ch == '(') {
			END_RUN();
			c = ch == '[' ? bracket_end(c) : group_end(c);
			if (!c)
				return 0;
			continue;
		}
		if (at + 1 >= cap)
			return 0;
		out[at++] = (char)tolower(ch);
		run++;
	}
	END_RUN();
#undef END_RUN
	return n;
}
