/* history_files.c — the package managers' log files of a root, read and kept parsed between
 * requests (history.h). */
#include "config.h"
#include "history.h"
#include "grow.h"
#include "listfile.h"
#include "omg_error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_MAX (64u << 20)   /* of one log read at a time: a longer one is read from its end */
#define FILES_MAX 64           /* log files of one root (12 monthly rotations of each log are usual) */

struct logfile {
	char path[4400];
	uint8_t kind;              /* enum pmlog_source */
	int live;                  /* the file written to: read on from TAIL_OFF when it grows */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	size_t tail_off;
	struct pmlog_entry **v;    /* final entries */
	size_t n, cap;
	struct pmlog_entry *tail;  /* the last entry of a live file: read again as the file grows */
	int seen;
};

struct history {
	char root[4096], pacman_log[4096];
	int (*vercmp)(const char *, const char *);
	struct logfile *files[FILES_MAX];
	int nfiles;
	const struct pmlog_entry **all;
	size_t nall, capall;
};

int history_open(struct history **out, const char *root, const char *pacman_log,
		 int (*vercmp)(const char *, const char *))
{
	struct history *h = calloc(1, sizeof *h);

	if (!h)
		return OMG_ERROR(OMG_E_NOMEM, "history");
	snprintf(h->root, sizeof h->root, "%s", strcmp(root, "/") ? root : "");
	snprintf(h->pacman_log, sizeof h->pacman_log, "%s", pacman_log ? pacman_log : "");
	h->vercmp = vercmp;
	*out = h;
	return OMG_OK;
}

static void file_clear(struct logfile *f)
{
	for (size_t i = 0; i < f->n; i++)
		pmlog_entry_free(f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
	pmlog_entry_free(f->tail);
	f->tail = NULL;
	f->tail_off = 0;
	f->size = 0;
}

void history_close(struct history *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->nfiles; i++) {
		file_clear(h->files[i]);
		free(h->files[i]);
	}
	free(h->all);
	free(h);
}

/* ---- parsing into a file's entries ----------------------------------------------------- */

struct got {
	struct pmlog_entry **v;
	size_t n, cap;
};

static int take(struct pmlog_entry *e, void *ctx)
{
	struct got *g = ctx;

	if (omg_grow(&g->v, &g->cap, g->n + 1, sizeof *g->v, OMG_GROW_UNBOUNDED) != OMG_OK) {
		pmlog_entry_free(e);
		return OMG_ERROR(OMG_E_NOMEM, "history");
	}
	g->v[g->n++] = e;
	return OMG_OK;
}

/* Parses BUF into F: entries that began before the parse's tail are final; with FROZEN (a
 * rotated file) all are. BASE: BUF's offset in the file. */
static int file_parse(struct history *h, struct logfile *f, const char *buf, size_t n, size_t base, int frozen)
{
	struct got g = { 0 };
	size_t tail = n;
	int rc;

	if (f->kind == PMLOG_APT)
		rc = pmlog_parse_apt(buf, n, take, &g, &tail);
	else if (f->kind == PMLOG_DPKG)
		rc = pmlog_parse_dpkg(buf, n, h->vercmp, take, &g, &tail);
	else
		rc = pmlog_parse_pacman(buf, n, take, &g, &tail);
	for (size_t i = 0; i < g.n; i++) {
		if (rc == OMG_OK && (frozen || g.v[i]->offset < tail)) {
			if (omg_grow(&f->v, &f->cap, f->n + 1, sizeof *f->v, OMG_GROW_UNBOUNDED) != OMG_OK) {
				rc = OMG_ERROR(OMG_E_NOMEM, "history");
				pmlog_entry_free(g.v[i]);
				continue;
			}
			f->v[f->n++] = g.v[i];
		} else if (rc == OMG_OK && !f->tail) {
			f->tail = g.v[i];
		} else {
			pmlog_entry_free(g.v[i]);
		}
	}
	free(g.v);
	f->tail_off = base + (frozen ? n : tail);
	return rc;
}

/* A rotated file, compressed or not (libarchive tells): read whole, once. */
static int read_frozen(struct history *h, struct logfile *f)
{
	char *p = NULL;
	size_t n = 0;
	int rc = listfile_read_all(f->path, FILE_MAX, "history", &p, &n);

	if (rc == OMG_OK)
		rc = file_parse(h, f, p, n, 0, 1);
	free(p);
	return rc;
}

/* The live file from F->tail_off on (or its last FILE_MAX bytes). */
static int read_live(struct history *h, struct logfile *f, int fd, off_t size)
{
	size_t from = f->tail_off, n, got = 0;
	char *buf;
	int rc;

	if ((size_t)size - from > FILE_MAX)
		from = (size_t)size - FILE_MAX;
	n = (size_t)size - from;
	if (!(buf = malloc(n ? n : 1)))
		return OMG_ERROR(OMG_E_NOMEM, "history");
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(from + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	pmlog_entry_free(f->tail);
	f->tail = NULL;
	rc = file_parse(h, f, buf, got, from, 0);
	free(buf);
	return rc;
}

/* Brings F up to date with the file on disk. */
static int file_refresh(struct history *h, struct logfile *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), rc = OMG_OK;
	struct stat st;

	if (fd < 0)
		return OMG_ERROR(OMG_E_SYS, "%s: %s", f->path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return OMG_ERROR(OMG_E_PERM, "%s: not a regular file", f->path);
	}
	if (st.st_dev == f->dev && st.st_ino == f->ino && st.st_size == f->size &&
	    st.st_mtim.tv_sec == f->mtime.tv_sec && st.st_mtim.tv_nsec == f->mtime.tv_nsec) {
		close(fd);
		return OMG_OK; /* unchanged */
	}
	/* another file, or cut (truncated, rewritten): from the start */
	if (st.st_dev != f->dev || st.st_ino != f->ino || st.st_size < f->size || !f->live)
		file_clear(f);
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->mtime = st.st_mtim;
	f->size = st.st_size;
	rc = f->live ? read_live(h, f, fd, st.st_size) : read_frozen(h, f);
	close(fd);
	if (rc != OMG_OK)
		f->size = -1; /* read again next time */
	return rc;
}

/* ---- which files ------------------------------------------------------------------------- */

/* "BASE", "BASE.N", "BASE.N.gz" (any compression suffix): 0 for the live file, N for a
 * rotated one, -1 for anything else. */
static long rotation(const char *name, const char *base)
{
	size_t bl = strlen(base);
	char *end;
	long n;

	if (strncmp(name, base, bl) != 0)
		return -1;
	if (!name[bl])
		return 0;
	if (name[bl] != '.' || name[bl + 1] < '1' || name[bl + 1] > '9')
		return -1;
	n = strtol(name + bl + 1, &end, 10);
	if (*end && (*end != '.' || !end[1] || strchr(end + 1, '.')))
		return -1;
	return n > 0 && n < 10000 ? n : -1;
}

static struct logfile *file_for(struct history *h, const char *path, uint8_t kind, int live)
{
	struct logfile *f;

	for (int i = 0; i < h->nfiles; i++)
		if (!strcmp(h->files[i]->path, path))
			return h->files[i];
	if (h->nfiles == FILES_MAX || !(f = calloc(1, sizeof *f)))
		return NULL;
	snprintf(f->path, sizeof f->path, "%s", path);
	f->kind = kind;
	f->live = live;
	f->size = -1;
	h->files[h->nfiles++] = f;
	return f;
}

struct found {
	char path[4400];
	long n;
	uint8_t kind;
};

static int by_rotation(const void *a, const void *b)
{
	const struct found *x = a, *y = b;

	return (x->n > y->n) - (x->n < y->n);
}

/* The files of the log at PATH (itself and its rotations) into OUT, newest first. */
static int find_log(const char *path, uint8_t kind, struct found *out, int max)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	/* dir (< 4096) + '/' + a name (< 256) fits in found's path */
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (!slash)
		return 0;
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (!(d = opendir(dir[0] ? dir : "/")))
		return 0;
	while ((de = readdir(d)) && n < max) {
		long r = rotation(de->d_name, slash + 1);
		if (r < 0)
			continue;
		snprintf(out[n].path, sizeof out[n].path, "%s/%s", dir, de->d_name);
		out[n].n = r;
		out[n].kind = kind;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(out, (size_t)n, sizeof *out, by_rotation);
	return n;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int keep(struct history *h, const struct pmlog_entry *e)
{
	if (omg_grow(&h->all, &h->capall, h->nall + 1, sizeof *h->all, OMG_GROW_UNBOUNDED) != OMG_OK)
		return OMG_ERROR(OMG_E_NOMEM, "history");
	h->all[h->nall++] = e;
	return OMG_OK;
}

int history_files_read(struct history *h, int deadline_ms, const struct pmlog_entry ***out, size_t *n,
		       char *problem, size_t psize)
{
	struct found *found = malloc(FILES_MAX * sizeof *found);
	char path[4200];
	int64_t until = now_ms() + deadline_ms;
	int nf = 0, late = 0, rc = OMG_OK;

	problem[0] = 0;
	if (!found)
		return OMG_ERROR(OMG_E_NOMEM, "history");
	snprintf(path, sizeof path, "%s/var/log/apt/history.log", h->root);
	nf += find_log(path, PMLOG_APT, found + nf, FILES_MAX - nf);
	snprintf(path, sizeof path, "%s/var/log/dpkg.log", h->root);
	nf += find_log(path, PMLOG_DPKG, found + nf, FILES_MAX - nf);
	if (h->pacman_log[0])
		nf += find_log(h->pacman_log, PMLOG_PACMAN, found + nf, FILES_MAX - nf);
	for (int i = 0; i < h->nfiles; i++)
		h->files[i]->seen = 0;
	/* newest first: what the deadline leaves unread is the oldest */
	if (nf > 0)
		qsort(found, (size_t)nf, sizeof *found, by_rotation);
	for (int i = 0; i < nf; i++) {
		struct logfile *f = file_for(h, found[i].path, found[i].kind, found[i].n == 0);
		int r;
		if (!f)
			continue;
		f->seen = 1;
		if (f->size >= 0 && !f->live) {
			struct stat st;
			if (stat(f->path, &st) == 0 && st.st_ino == f->ino && st.st_size == f->size)
				continue; /* a rotated file already read */
		}
		if (now_ms() > until) {
			late++;
			continue;
		}
		if ((r = file_refresh(h, f)) == OMG_E_NOMEM) {
			free(found);
			return r;
		}
		if (r != OMG_OK && !problem[0])
			snprintf(problem, psize, "%s", omg_errdetail());
	}
	free(found);
	if (late && !problem[0])
		snprintf(problem, psize, "%d older log files were not read within %d ms (asked again, they are)", late,
			 deadline_ms);
	/* files gone (rotated away, deleted): forgotten */
	for (int i = 0; i < h->nfiles;) {
		if (h->files[i]->seen) {
			i++;
			continue;
		}
		file_clear(h->files[i]);
		free(h->files[i]);
		h->files[i] = h->files[--h->nfiles];
	}
	h->nall = 0;
	for (int i = 0; i < h->nfiles && rc == OMG_OK; i++) {
		const struct logfile *f = h->files[i];
		for (size_t k = 0; k < f->n && rc == OMG_OK; k++)
			rc = keep(h, f->v[k]);
		if (f->tail && rc == OMG_OK)
			rc = keep(h, f->tail);
	}
	*out = h->all;
	*n = h->nall;
	return rc;
}
