/* sources.c — a package list's source in the index: its Release file's origin, label,
 * suite and codename, its default priority (NotAutomatic, ButAutomaticUpgrades) and how apt
 * describes it (sources.list's order and text). */
#include "config.h"
#include "dpkg.h"
#include "grow.h"
#include "omg_error.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

uint32_t deb_add_src(struct build *b, const char *path, int compressed, const struct release *rel,
		     const struct aptsources_list *list)
{
	struct db *db = b->db;
	struct db_src *s;

	if (omg_grow32(&db->srcs, &db->cap_srcs, db->nsrcs + 1, sizeof *db->srcs, UINT32_MAX) != OMG_OK)
			return DB_NONE;
	s = &db->srcs[db->nsrcs];
	memset(s, 0, sizeof *s);
	s->path = db_str(db, path, strlen(path));
	s->compressed = (uint8_t)compressed;
	s->prio = 500;
	s->order = UINT32_MAX;
	if (list) { /* a package list */
		s->order = list->rank > 0 ? (uint32_t)list->rank : UINT32_MAX;
		if ((s->desc = db_str(db, list->desc, strlen(list->desc))) == DB_NONE ||
		    (s->component = db_str(db, list->component, strlen(list->component))) == DB_NONE ||
		    (s->arch = db_str(db, list->arch, strlen(list->arch))) == DB_NONE ||
		    (s->site = db_str(db, list->site, strlen(list->site))) == DB_NONE)
			return DB_NONE;
	}
	if (rel) {
		s->origin = db_str(db, rel->origin, strlen(rel->origin));
		s->label = db_str(db, rel->label, strlen(rel->label));
		s->suite = db_str(db, rel->suite, strlen(rel->suite));
		s->codename = db_str(db, rel->codename, strlen(rel->codename));
		s->version = db_str(db, rel->version, strlen(rel->version));
		/* apt's defaults: ButAutomaticUpgrades 100 (with or without NotAutomatic),
		 * NotAutomatic 1 */
		if (rel->but_automatic_upgrades)
			s->prio = 100;
		else if (rel->not_automatic)
			s->prio = 1;
		s->security = !strcmp(rel->label, "Debian-Security");
	}
	return db->nsrcs++;
}

static void copy_field(char *dst, size_t n, const struct deb822_field *f)
{
	size_t len = f->value_len < n - 1 ? f->value_len : n - 1;

	memcpy(dst, f->value, len);
	dst[len] = 0;
}

int deb_read_release(const char *path, struct release *r)
{
	char buf[16384];
	struct deb822_para para;
	struct deb822_field f;
	size_t pos = 0, fpos = 0;
	ssize_t n;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC); /* a FIFO must not block */

	if (fd < 0)
		return -1;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!strncmp(buf, "-----BEGIN PGP SIGNED MESSAGE-----", 34)) { /* skip the armor header */
		char *blank = strstr(buf, "\n\n");
		if (!blank)
			return -1;
		pos = (size_t)(blank + 2 - buf);
	}
	if (!deb822_next_para(buf, (size_t)n, &pos, &para))
		return -1;
	while (deb822_next_field(&para, &fpos, &f) == 1) {
		if (deb822_is(&f, "Origin"))
			copy_field(r->origin, sizeof r->origin, &f);
		else if (deb822_is(&f, "Label"))
			copy_field(r->label, sizeof r->label, &f);
		else if (deb822_is(&f, "Suite"))
			copy_field(r->suite, sizeof r->suite, &f);
		else if (deb822_is(&f, "Codename"))
			copy_field(r->codename, sizeof r->codename, &f);
		else if (deb822_is(&f, "Version"))
			copy_field(r->version, sizeof r->version, &f);
		else if (deb822_is(&f, "NotAutomatic"))
			r->not_automatic = f.value_len == 3 && !strncasecmp(f.value, "yes", 3);
		else if (deb822_is(&f, "ButAutomaticUpgrades"))
			r->but_automatic_upgrades = f.value_len == 3 && !strncasecmp(f.value, "yes", 3);
	}
	return 0;
}
