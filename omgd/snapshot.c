/* snapshot.c — see snapshot.h. */
#include "config.h"
#include "snapshot.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define SNAP_MAGIC "OMGSNAP"
#define BYTE_ORDER_MARK 0x01020304u

struct snap_header {
	char magic[8];
	char omg_version[16];        /* PACKAGE_VERSION: a new omgd may compute differently */
	uint32_t format, byte_order;
	uint32_t sizes[10];          /* db_pkg, db_ver, db_src, db_cmd, db_input, db_vfile, db_provide, db_rel,
				      * db_doc, db_tri */
	uint32_t npkgs, nvers, nsrcs, ncmds, ninputs, hash_mask, nvfiles, nprovs, nrels, reserved3;
	uint32_t ndocs, ndoc_provs, ntris, npostings;
	uint64_t arena_len;
	struct db_counts counts;
	uint32_t security, malformed, damaged_lists, native_arch, mixed_case_names, ignored_lists;
	uint64_t built_at, read_at_ns;
	double build_ms;
	uint64_t checksum;           /* of everything after the header */
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

uint64_t store_checksum(const void *p, size_t n)
{
	const uint64_t k = 0x9E3779B97F4A7C15ull;
	const unsigned char *b = p;
	uint64_t lane[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, h = n * k, w;
	size_t i = 0;

	/* Eight independent lanes keep the multiplier busy. Each step is a bijection of the
	 * lane and of the word, so damage to any one word always changes the result. */
	for (; i + 64 <= n; i += 64)
		for (int l = 0; l < 8; l++) {
			memcpy(&w, b + i + 8 * l, 8);
			lane[l] = (lane[l] ^ w) * k;
		}
	for (; i < n; i++)
		h = (h ^ b[i]) * k;
	for (int l = 0; l < 8; l++) {
		h = (h ^ lane[l]) * k;
		h ^= h >> 29;
	}
	return h;
}

/* The sections in order: where each lives in a db, and how many bytes it has. */
struct section {
	void **ptr;
	size_t bytes;
};

#define NSECTIONS 16

static int sections(const struct db *db, struct section s[NSECTIONS])
{
	struct db *m = (struct db *)db; /* only the addresses of the members are taken */

	s[0] = (struct section){ (void **)&m->str.p, db->str.len };
	s[1] = (struct section){ (void **)&m->pkgs, (size_t)db->npkgs * sizeof *db->pkgs };
	s[2] = (struct section){ (void **)&m->vers, (size_t)db->nvers * sizeof *db->vers };
	s[3] = (struct section){ (void **)&m->srcs, (size_t)db->nsrcs * sizeof *db->srcs };
	s[4] = (struct section){ (void **)&m->cmds, (size_t)db->ncmds * sizeof *db->cmds };
	s[5] = (struct section){ (void **)&m->by_name, (size_t)db->npkgs * sizeof *db->by_name };
	s[6] = (struct section){ (void **)&m->hash, ((size_t)db->hash_mask + 1) * sizeof *db->hash };
	s[7] = (struct section){ (void **)&m->inputs, (size_t)db->ninputs * sizeof *db->inputs };
	s[8] = (struct section){ (void **)&m->vfiles, (size_t)db->nvfiles * sizeof *db->vfiles };
	s[9] = (struct section){ (void **)&m->provs, (size_t)db->nprovs * sizeof *db->provs };
	s[10] = (struct section){ (void **)&m->rels, (size_t)db->nrels * sizeof *db->rels };
	s[11] = (struct section){ (void **)&m->rels_by_name, (size_t)db->nrels * sizeof *db->rels_by_name };
	/* the search index (textidx.h): stored, so that a warm start does not make it again */
	s[12] = (struct section){ (void **)&m->docs, ((size_t)db->ndocs + 1) * sizeof *db->docs };
	s[13] = (struct section){ (void **)&m->doc_provs, (size_t)db->ndoc_provs * sizeof *db->doc_provs };
	s[14] = (struct section){ (void **)&m->tris, (size_t)db->ntris * sizeof *db->tris };
	s[15] = (struct section){ (void **)&m->postings, db->npostings };
	return NSECTIONS;
}

size_t snapshot_size(const struct db *db)
{
	struct section s[NSECTIONS];
	size_t n = sizeof(struct snap_header);

	for (int i = 0, k = sections(db, s); i < k; i++)
		n += pad8(s[i].bytes);
	return n;
}

static void header_of(const struct db *db, struct snap_header *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, SNAP_MAGIC, sizeof SNAP_MAGIC);
	strncpy(h->omg_version, PACKAGE_VERSION, sizeof h->omg_version - 1);
	h->format = SNAPSHOT_FORMAT;
	h->byte_order = BYTE_ORDER_MARK;
	h->sizes[0] = sizeof(struct db_pkg);
	h->sizes[1] = sizeof(struct db_ver);
	h->sizes[2] = sizeof(struct db_src);
	h->sizes[3] = sizeof(struct db_cmd);
	h->sizes[4] = sizeof(struct db_input);
	h->sizes[5] = sizeof(struct db_vfile);
	h->nvfiles = db->nvfiles;
	h->sizes[6] = sizeof(struct db_provide);
	h->nprovs = db->nprovs;
	h->sizes[7] = sizeof(struct db_rel);
	h->nrels = db->nrels;
	h->sizes[8] = sizeof(struct db_doc);
	h->sizes[9] = sizeof(struct db_tri);
	h->ndocs = db->ndocs;
	h->ndoc_provs = db->ndoc_provs;
	h->ntris = db->ntris;
	h->npostings = db->npostings;
	h->npkgs = db->npkgs;
	h->nvers = db->nvers;
	h->nsrcs = db->nsrcs;
	h->ncmds = db->ncmds;
	h->ninputs = db->ninputs;
	h->hash_mask = db->hash_mask;
	h->arena_len = db->str.len;
	h->counts = db->counts;
	h->security = db->security;
	h->malformed = db->malformed;
	h->damaged_lists = db->damaged_lists;
	h->ignored_lists = db->ignored_lists;
	h->native_arch = db->native_arch;
	h->mixed_case_names = (uint32_t)db->mixed_case_names;
	h->built_at = db->built_at;
	h->read_at_ns = db->read_at_ns;
	h->build_ms = db->build_ms;
}

void snapshot_write(const struct db *db, void *dst)
{
	struct snap_header h;
	struct section s[NSECTIONS];
	unsigned char *p = dst, *body = p + sizeof h;
	size_t at = sizeof h;

	header_of(db, &h);
	for (int i = 0, k = sections(db, s); i < k; i++) {
		if (s[i].bytes)
			memcpy(p + at, *s[i].ptr, s[i].bytes);
		memset(p + at + s[i].bytes, 0, pad8(s[i].bytes) - s[i].bytes);
		at += pad8(s[i].bytes);
	}
	h.checksum = store_checksum(body, at - sizeof h);
	memcpy(p, &h, sizeof h);
}

int snapshot_read(const void *src, size_t n, struct db *db, unsigned flags)
{
	const unsigned char *p = src;
	struct snap_header h, want;
	struct section s[NSECTIONS];
	size_t at = sizeof h;
	int rc, k;

	memset(db, 0, sizeof *db);
	if (n < sizeof h)
		return OMG_ERROR(OMG_E_CORRUPT, "stored index: %zu bytes", n);
	memcpy(&h, p, sizeof h);
	if (memcmp(h.magic, SNAP_MAGIC, sizeof SNAP_MAGIC) != 0)
		return OMG_ERROR(OMG_E_CORRUPT, "stored index: bad magic");
	memset(&want, 0, sizeof want);
	header_of(db, &want);
	if (h.format != SNAPSHOT_FORMAT || h.byte_order != BYTE_ORDER_MARK ||
	    memcmp(h.sizes, want.sizes, sizeof h.sizes) != 0 ||
	    strncmp(h.omg_version, want.omg_version, sizeof h.omg_version) != 0)
		return OMG_ERROR(OMG_E_VERSION, "stored index: written by omg %.15s (format %u)", h.omg_version, h.format);
	if (h.arena_len > UINT32_MAX || h.hash_mask > (1u << 30))
		return OMG_ERROR(OMG_E_CORRUPT, "stored index: sizes out of range");
	db->str.len = h.arena_len;
	db->npkgs = h.npkgs;
	db->nvers = h.nvers;
	db->nsrcs = h.nsrcs;
	db->ncmds = h.ncmds;
	db->ninputs = h.ninputs;
	db->nvfiles = h.nvfiles;
	db->nprovs = h.nprovs;
	db->nrels = h.nrels;
	db->hash_mask = h.hash_mask;
	db->ndocs = h.ndocs;
	db->ndoc_provs = h.ndoc_provs;
	db->ntris = h.ntris;
	db->npostings = h.npostings;
	k = sections(db, s);
	{
		size_t need = sizeof h;
		for (int i = 0; i < k; i++)
			need += pad8(s[i].bytes); /* at most 2^32 + 1 entries of < 64 bytes each: no overflow */
		if (need != n) {
			memset(db, 0, sizeof *db);
			return OMG_ERROR(OMG_E_CORRUPT, "stored index: %zu bytes, its header describes %zu", n, need);
		}
	}
	if (!(flags & SNAPSHOT_SKIP_CHECKSUM) && store_checksum(p + sizeof h, n - sizeof h) != h.checksum) {
		memset(db, 0, sizeof *db);
		return OMG_ERROR(OMG_E_CORRUPT, "stored index: checksum mismatch (damaged)");
	}
	/* The arrays stay where they are: copying 11 MB into fresh memory cost 28 ms here
	 * (page faults), more than the whole warm start may take. */
	if (((uintptr_t)p & 7) != 0) {
		memset(db, 0, sizeof *db);
		return OMG_ERROR(OMG_E_CORRUPT, "stored index: misaligned");
	}
	for (int i = 0; i < k; i++) {
		*s[i].ptr = (void *)(p + at);
		at += pad8(s[i].bytes);
	}
	db->str.cap = db->str.len;
	db->cap_pkgs = db->npkgs;
	db->cap_vers = db->nvers;
	db->cap_srcs = db->nsrcs;
	db->cap_cmds = db->ncmds;
	db->cap_inputs = db->ninputs;
	db->cap_vfiles = db->nvfiles;
	db->cap_provs = db->nprovs;
	db->cap_rels = db->nrels;
	db->counts = h.counts;
	db->security = h.security;
	db->malformed = h.malformed;
	db->damaged_lists = h.damaged_lists;
	db->ignored_lists = h.ignored_lists;
	db->native_arch = h.native_arch;
	db->mixed_case_names = h.mixed_case_names != 0;
	db->built_at = h.built_at;
	db->read_at_ns = h.read_at_ns;
	db->build_ms = h.build_ms;
	if ((rc = db_validate(db)) != OMG_OK) {
		memset(db, 0, sizeof *db);
		return rc;
	}
	return OMG_OK;
}

int snapshot_current(const struct db *db, const char **why)
{
	for (uint32_t i = 0; i < db->ninputs; i++) {
		const struct db_input *in = &db->inputs[i];
		struct db_input now = { 0 };
		struct stat st;
		*why = db_s(db, in->path);
		db_input_fill(&now, stat(*why, &st) == 0 ? &st : NULL);
		if (now.exists != in->exists)
			return 0;
		if (!in->exists)
			continue;
		if (now.size != in->size || now.mtime_ns != in->mtime_ns || now.ctime_ns != in->ctime_ns ||
		    now.ino != in->ino || now.dev != in->dev || in->ctime_ns + SNAPSHOT_RACY_NS > db->read_at_ns)
			return 0;
	}
	*why = NULL;
	return 1;
}
