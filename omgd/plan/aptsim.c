/* aptsim.c — apt-get -s's output read into a plan (aptsim.h). */
#include "config.h"
#include "aptsim.h"
#include "grow.h"
#include "omg_error.h"
#include "proto.h"
#include "version.h"

#include <stdlib.h>
#include <string.h>

/* Growable arrays of pointers into the copy. */
static int push(const char ***v, uint32_t *n, uint32_t *cap, const char *s)
{
	if (omg_grow32(v, cap, *n + 1, sizeof **v, APTSIM_OPS_MAX) != OMG_OK)
		return -1;
	(*v)[(*n)++] = s;
	return 0;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The next space-separated word of *P (cut in place), or NULL. */
static char *word(char **p)
{
	char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	e = s + strcspn(s, " ");
	if (*e)
		*e++ = 0;
	*p = e;
	return s;
}

/* NAME[:ARCH] into the op's name and arch. */
static void split_arch(char *name, struct aptsim_op *o)
{
	char *colon = strchr(name, ':');

	o->name = name;
	o->arch = "";
	if (colon) {
		*colon = 0;
		o->arch = colon + 1;
	}
}

/* "Inst NAME[:ARCH] [CUR] (VER REL, REL [ARCH]) [..]", "Remv NAME [CUR]", "Purg NAME [CUR]"
 * (the keyword already cut off). 0, or -1 when the line does not have that shape. */
static int parse_op(char *line, int inst, uint8_t removal, struct aptsim_op *o)
{
	char *p = line, *name = word(&p), *open, *close, *sp;

	if (!name)
		return -1;
	memset(o, 0, sizeof *o);
	split_arch(name, o);
	if (!o->name[0])
		return -1; /* ":amd64": no name */
	o->from = o->to = o->release = "";
	while (*p == ' ')
		p++;
	if (*p == '[') { /* the current version */
		char *end = strchr(p, ']');
		if (!end)
			return -1;
		*end = 0;
		o->from = p + 1;
		p = end + 1;
		while (*p == ' ')
			p++;
	}
	if (!inst) {
		o->op = removal;
		return 0;
	}
	if (*p != '(' || !(close = strchr(p, ')')))
		return -1;
	open = p + 1;
	*close = 0;
	/* VER RELEASES [ARCH] */
	if (!(sp = strchr(open, ' '))) {
		o->to = open;
	} else {
		char *arch;
		*sp = 0;
		o->to = open;
		o->release = sp + 1;
		arch = strrchr(o->release, '[');
		if (arch && arch[strlen(arch) - 1] == ']') {
			arch[strlen(arch) - 1] = 0;
			if (!o->arch[0])
				o->arch = arch + 1;
			while (arch > o->release && arch[-1] == ' ')
				arch--;
			*arch = 0;
		}
	}
	if (!o->to[0])
		return -1;
	if (!o->from[0])
		o->op = OMG_OP_INSTALL;
	else {
		int c = deb_version_compare(o->to, o->from);
		o->op = c > 0 ? OMG_OP_UPGRADE : c < 0 ? OMG_OP_DOWNGRADE : OMG_OP_REINSTALL;
	}
	return 0;
}

enum section { SEC_NONE, SEC_KEPT, SEC_AUTOREMOVABLE, SEC_OTHER, SEC_UNMET, SEC_NOTE };

/* apt's words that say nothing a plan needs (the progress, the simulation's notice, the
 * summary line and the preamble of the unmet dependencies). */
static int noise(const char *l)
{
	static const char *const prefixes[] = {
		"Reading package lists", "Building dependency tree", "Reading state information",
		"Calculating upgrade", "NOTE: This is only a simulation", "Use 'apt autoremove'",
		"Use 'sudo apt autoremove'", "Some packages could not be installed.",
		"requested an impossible situation", "distribution that some required packages",
		"or been moved out of Incoming.", "The following information may help",
		"WARNING: The following essential packages will be removed.",
		"This should NOT be done unless you know exactly what you are doing",
	};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (starts(l, prefixes[i]))
			return 1;
	/* "N upgraded, N newly installed, N to remove and N not upgraded." */
	return strstr(l, " upgraded, ") && strstr(l, " newly installed, ");
}

int aptsim_parse(const char *text, size_t len, struct aptsim *s)
{
	uint32_t ops_cap = 0, kept_cap = 0, auto_cap = 0, notes_cap = 0;
	enum section sec = SEC_NONE;
	struct omg_buf problem = OMG_BUF_INIT(OMG_GROW_UNBOUNDED); /* no longer than TEXT */
	char *p, *end;

	memset(s, 0, sizeof *s);
	if (!(s->buf = malloc(len + 1)) || omg_buf_add(&problem, "", 0) != OMG_OK)
		goto nomem;
	memcpy(s->buf, text, len);
	s->buf[len] = 0;
	s->buflen = len;
	for (p = s->buf, end = s->buf + len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *line = p;
		size_t n;

		if (nl)
			*nl = 0;
		p = nl ? nl + 1 : end;
		n = strlen(line); /* cut at a NUL too */
		if (n > APTSIM_LINE_MAX)
			line[n = APTSIM_LINE_MAX] = 0;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = 0;
		if (!n)
			continue;
		if (line[0] == ' ') { /* a continuation: a list's words, or a block's lines */
			char *q = line, *w;
			if (sec == SEC_UNMET) {
				if (omg_buf_addline(&problem, line) != OMG_OK)
					goto nomem;
				continue;
			}
			if (sec == SEC_NOTE) { /* a note's list ("... provided by:", "... replace it:") */
				if (push(&s->notes, &s->nnotes, &notes_cap, line) != 0)
					goto nomem;
				continue;
			}
			if (sec == SEC_KEPT || sec == SEC_AUTOREMOVABLE)
				while ((w = word(&q)))
					if (push(sec == SEC_KEPT ? &s->kept : &s->autoremovable,
						 sec == SEC_KEPT ? &s->nkept : &s->nautoremovable,
						 sec == SEC_KEPT ? &kept_cap : &auto_cap, w) != 0)
						goto nomem;
			continue;
		}
		sec = SEC_NONE;
		if (starts(line, "Inst ") || starts(line, "Remv ") || starts(line, "Purg ")) {
			struct aptsim_op o;
			int inst = line[0] == 'I';
			if (parse_op(line + 5, inst, line[0] == 'P' ? OMG_OP_PURGE : OMG_OP_REMOVE, &o) != 0)
				continue;
			if (omg_grow32(&s->ops, &ops_cap, s->nops + 1, sizeof *s->ops, APTSIM_OPS_MAX) != OMG_OK)
				goto nomem;
			s->ops[s->nops++] = o;
		} else if (starts(line, "Conf ")) {
			continue;
		} else if (starts(line, "The following ") && line[n - 1] == ':') {
			sec = strstr(line, "kept back") ? SEC_KEPT
			    : strstr(line, "no longer required") ? SEC_AUTOREMOVABLE
			    : strstr(line, "unmet dependencies") ? SEC_UNMET : SEC_OTHER;
			if (sec == SEC_UNMET && omg_buf_addline(&problem, line) != OMG_OK)
				goto nomem;
		} else if (starts(line, "Suggested packages:") || starts(line, "Recommended packages:")) {
			sec = SEC_OTHER;
		} else if (starts(line, "E: ")) {
			if (omg_buf_addline(&problem, line + 3) != OMG_OK)
				goto nomem;
		} else if (!noise(line)) {
			if (push(&s->notes, &s->nnotes, &notes_cap, starts(line, "W: ") || starts(line, "N: ") ? line + 3 : line) != 0)
				goto nomem;
			if (line[n - 1] == ':')
				sec = SEC_NOTE;
		}
	}
	s->problem = problem.p;
	return OMG_OK;
nomem:
	omg_buf_free(&problem);
	aptsim_free(s);
	return OMG_ERROR(OMG_E_NOMEM, "reading apt-get's plan");
}

void aptsim_free(struct aptsim *s)
{
	free(s->ops);
	free(s->kept);
	free(s->autoremovable);
	free(s->notes);
	free(s->problem);
	free(s->buf);
	memset(s, 0, sizeof *s);
}
