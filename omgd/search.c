/* search.c — db_search (db.h): apt-cache search's rules, answered from the search index.
 *
 * apt-cache search (apt 2.6) takes each term as a POSIX extended regular expression,
 * REG_ICASE, and lists a name when every term matches the name, or a name one of its native
 * versions provides (the match of a provided name is passed on to its providers), or the
 * candidate's whole description as its record has it ("first line\n rest", the rest from the
 * first package list that has the version, else dpkg's status file). The index gives the
 * documents that have the rarest trigrams of the text the terms require; the regular
 * expressions decide. Regular expressions run in the C.UTF-8 locale, as in a UTF-8 session:
 * '.' is one character, not one byte.
 */
#include "config.h"
#include "clock.h"
#include "db.h"
#include "ere.h"
#include "omg_error.h"
#include "textidx.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { RANK_EXACT, RANK_PREFIX, RANK_WORD, RANK_SUBSTRING, RANK_DESCRIPTION, RANK__COUNT };

struct term {
	const char *text;        /* as given, in QUERY's copy */
	char lower[DB_QUERY_MAX + 1]; /* a plain term, lower-cased */
	size_t len;
	int plain;               /* no operator: a byte search, no regex */
	int compiled;
	regex_t re;              /* REG_NOSUB: does it match */
	regex_t at;              /* where: the rank of a name */
};

struct search {
	const struct db *db;
	struct term t[SEARCH_TERMS_MAX]; /* 13 KiB: on the calling thread's stack */
	int nt;
	uint32_t flags;
	char *buf;               /* a whole description, for regexec */
	size_t cap;
};

static locale_t utf8;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Lower-case NEEDLE (NLEN bytes, at least one) in HAY without regard to ASCII case: glibc's
 * strpbrk finds each place its first letter is, in either case (a byte loop took 19 ms for a
 * term without a trigram over every document, this 5). */
static const char *find_ci(const char *hay, const char *needle, size_t nlen)
{
	const char first[3] = { needle[0], (char)toupper((unsigned char)needle[0]), 0 };

	for (hay = strpbrk(hay, first); hay; hay = strpbrk(hay + 1, first))
		if (!strncasecmp(hay, needle, nlen))
			return hay;
	return NULL;
}

/* Finds plain term T in NAME: glibc's strstr when the index has only lower-case names
 * (Debian policy), a case-folding scan otherwise. */
static const char *find_name(const struct db *db, const char *name, const struct term *t)
{
	return db->mixed_case_names ? find_ci(name, t->lower, t->len) : strstr(name, t->lower);
}

static int word_start(const char *name, const char *at)
{
	return at > name && (at[-1] == '-' || at[-1] == '.' || at[-1] == '+');
}

/* The rank of NAME for term T, or -1 when T does not match it. */
static int name_rank(const struct db *db, const struct term *t, const char *name)
{
	size_t len = strlen(name), from = 0;
	regmatch_t m;

	if (t->plain) {
		const char *hit = find_name(db, name, t);
		if (hit == name)
			return name[t->len] == 0 ? RANK_EXACT : RANK_PREFIX;
		for (const char *h = hit; h; h = find_name(db, h + 1, t))
			if (word_start(name, h))
				return RANK_WORD;
		return hit ? RANK_SUBSTRING : -1;
	}
	if (regexec(&t->at, name, 1, &m, 0) != 0)
		return -1;
	if (m.rm_so == 0)
		return (size_t)m.rm_eo == len ? RANK_EXACT : RANK_PREFIX;
	/* the leftmost match is inside a word: another may start one */
	do {
		from += (size_t)m.rm_so;
		if (word_start(name, name + from))
			return RANK_WORD;
		from++;
	} while (from < len && regexec(&t->at, name + from, 1, &m, REG_NOTBOL) == 0);
	return RANK_SUBSTRING;
}

static int match_str(const struct term *t, const char *s)
{
	return t->plain ? find_ci(s, t->lower, t->len) != NULL : regexec(&t->re, s, 0, NULL, 0) == 0;
}

/* Version V's whole description against T: "first line" and "\n rest" as one string. */
static int match_desc(struct search *s, const struct term *t, uint32_t v)
{
	const char *first = db_s(s->db, s->db->vers[v].desc), *rest = db_desc_rest(s->db, v);
	size_t fl, rl;

	if (t->plain)
		return find_ci(first, t->lower, t->len) || find_ci(rest, t->lower, t->len);
	if (!*rest)
		return regexec(&t->re, first, 0, NULL, 0) == 0;
	fl = strlen(first), rl = strlen(rest);
	if (!s->buf || fl + rl + 1 > s->cap) {
		char *b = realloc(s->buf, fl + rl + 1);
		if (!b)
			return 0; /* no memory: no match */
		s->buf = b, s->cap = fl + rl + 1;
	}
	memcpy(s->buf, first, fl);
	memcpy(s->buf + fl, rest, rl + 1);
	return regexec(&t->re, s->buf, 0, NULL, 0) == 0;
}

/* Document D's rank for term T, or -1. */
static int term_rank(struct search *s, const struct term *t, uint32_t d)
{
	const struct db *db = s->db;
	const struct db_doc *doc = &db->docs[d];
	uint32_t v;
	int r = name_rank(db, t, db_s(db, db->pkgs[doc->pkg].name));

	if (r >= 0)
		return r;
	for (uint32_t i = doc->provs; i < db->docs[d + 1].provs; i++)
		if (match_str(t, db_s(db, db->doc_provs[i])))
			return RANK_DESCRIPTION;
	if ((s->flags & DB_SEARCH_DESCRIPTIONS) && (v = textidx_doc_ver(db, doc)) != DB_NONE && match_desc(s, t, v))
		return RANK_DESCRIPTION;
	return -1;
}

/* The instance document D shows: apt's preferred one with a candidate; with
 * DB_SEARCH_INSTALLED an installed one (the preferred first). DB_NONE: none. */
static uint32_t row_pkg(const struct db *db, uint32_t d, uint32_t flags)
{
	uint32_t p = db->docs[d].pkg;
	const char *name;

	if (!(flags & DB_SEARCH_INSTALLED))
		return db->pkgs[p].cand != DB_NONE ? p : DB_NONE;
	if (db->pkgs[p].inst != DB_NONE)
		return p;
	name = db_s(db, db->pkgs[p].name);
	for (p = db_pkg_first(db, name, strlen(name)); p != DB_NONE; p = db->pkgs[p].next_arch)
		if (db->pkgs[p].inst != DB_NONE)
			return p;
	return DB_NONE;
}

/* Splits QUERY (copied into Q) into terms and compiles them. */
static int compile_terms(struct search *s, char *q)
{
	for (char *next = q; next;) {
		struct term *t;
		char *term = next, *nl = strchr(next, '\n');
		int rc;
		if (nl)
			*nl = 0;
		next = nl ? nl + 1 : NULL;
		if (!*term)
			return OMG_ERROR(OMG_E_INVAL, "an empty search term");
		if (s->nt == SEARCH_TERMS_MAX)
			return OMG_ERROR(OMG_E_INVAL, "more than %d search terms", SEARCH_TERMS_MAX);
		t = &s->t[s->nt];
		t->text = term;
		t->len = strlen(term);
		t->plain = ere_is_plain(term);
		for (size_t i = 0; i <= t->len; i++)
			t->lower[i] = (char)tolower((unsigned char)term[i]);
		if (!t->plain) {
			if ((rc = ere_compile(&t->re, term, REG_NOSUB)) != OMG_OK)
				return rc;
			if ((rc = ere_compile(&t->at, term, 0)) != OMG_OK) {
				regfree(&t->re);
				return rc;
			}
			t->compiled = 1;
		}
		s->nt++;
	}
	return OMG_OK;
}

#define LISTS_MAX 4 /* the rarest trigrams whose lists are merged: more cost more than they save */

/* The LISTS_MAX trigrams with the fewest documents among those the terms require, rarest
 * first, into BEST (*N of them; 0 when the terms require none: every document is a
 * candidate). Returns 0 when a required trigram is in no document (nothing can match). */
static int rarest(const struct search *s, const struct db_tri *best[LISTS_MAX], int *n)
{
	char req[2 * DB_QUERY_MAX + 2];

	*n = 0;
	for (int i = 0; i < s->nt; i++) {
		const char *r = req;
		int runs = ere_required(s->t[i].text, req, sizeof req);
		for (int k = 0; k < runs; k++, r += strlen(r) + 1)
			for (size_t j = 0; j + 3 <= strlen(r); j++) {
				const struct db_tri *tri = textidx_find(s->db, textidx_key(r + j));
				int at = *n;
				if (!tri)
					return 0;
				for (int x = 0; x < *n; x++)
					at = best[x] == tri ? -1 : at;
				if (at < 0)
					continue; /* already there */
				/* insert in order of count, the last one falling off a full table */
				for (at = *n < LISTS_MAX ? (*n)++ : LISTS_MAX; at > 0 && best[at - 1]->count > tri->count; at--)
					if (at < LISTS_MAX)
						best[at] = best[at - 1];
				if (at < LISTS_MAX)
					best[at] = tri;
			}
	}
	return 1;
}

/* The next document in every list of CUR (N cursors, the rarest first), into *DOC. */
static int next_common(struct textidx_cursor *cur, uint32_t *at, int n, uint32_t *doc)
{
	uint32_t d;

	while (textidx_next(&cur[0], &d)) {
		int all = 1;
		for (int i = 1; i < n && all; i++) {
			while (at[i] < d + 1 && textidx_next(&cur[i], &at[i]))
				at[i]++; /* AT holds document + 1: 0 is "none read yet" */
			if (at[i] != d + 1)
				all = at[i] > d + 1 ? 0 : -1;
		}
		if (all == -1)
			return 0; /* a list ended: no later document has every trigram */
		if (all) {
			*doc = d;
			return 1;
		}
	}
	return 0;
}

static int run(struct search *s, uint32_t limit, struct db_hits *out)
{
	const struct db *db = s->db;
	const struct db_tri *best[LISTS_MAX];
	struct textidx_cursor c[LISTS_MAX];
	uint32_t at[LISTS_MAX] = { 0 };
	int nbest;
	uint64_t deadline = mono_now_ns() + (uint64_t)SEARCH_DEADLINE_MS * 1000000u;
	uint32_t *bucket, nb[RANK__COUNT] = { 0 }, seen = 0, d = 0;

	/* calloc, not malloc: only the first min(nb[r], LIMIT) of a rank are read, and all are
	 * written, but scan-build cannot follow nb[r] and reports a read of garbage */
	bucket = calloc((size_t)RANK__COUNT * ((size_t)limit + 1), sizeof *bucket);
	out->v = malloc(((size_t)limit + 1) * sizeof *out->v);
	if (!bucket || !out->v) {
		free(bucket);
		return OMG_ERROR(OMG_E_NOMEM, "search");
	}
	if (!rarest(s, best, &nbest))
		goto done;
	for (int i = 0; i < nbest; i++)
		textidx_open(db, best[i], &c[i]);
	/* Documents come in name order, so each rank's hits do: only the first LIMIT of each
	 * rank can be shown, the rest are only counted. */
	for (;; seen++) {
		uint32_t p;
		int rank = 0;
		if (nbest ? !next_common(c, at, nbest, &d) : (d = seen) >= db->ndocs)
			break;
		if ((seen & 63) == 63 && mono_now_ns() > deadline) {
			free(bucket);
			return OMG_ERROR(OMG_E_TIMEOUT, "the search took over %d ms: more precise terms are needed",
					 SEARCH_DEADLINE_MS);
		}
		if ((p = row_pkg(db, d, s->flags)) == DB_NONE)
			continue;
		for (int i = 0; i < s->nt && rank >= 0; i++) {
			int r = term_rank(s, &s->t[i], d);
			rank = r < 0 ? -1 : r > rank ? r : rank;
		}
		if (rank < 0)
			continue;
		if (nb[rank] < limit)
			bucket[(size_t)rank * (limit + 1) + nb[rank]] = p;
		nb[rank]++;
		out->matched++;
	}
done:
	for (int r = 0; r < RANK__COUNT; r++)
		for (uint32_t j = 0; j < nb[r] && j < limit && out->n < limit; j++)
			out->v[out->n++] = bucket[(size_t)r * (limit + 1) + j];
	free(bucket);
	return OMG_OK;
}

int db_search(const struct db *db, const char *query, uint32_t limit, uint32_t flags, struct db_hits *out)
{
	struct search s = { .db = db, .flags = flags };
	size_t qlen = strlen(query);
	locale_t was = (locale_t)0;
	char *q = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (qlen == 0 || qlen > DB_QUERY_MAX)
		return OMG_ERROR(OMG_E_INVAL, "query must be 1 to %d bytes", DB_QUERY_MAX);
	pthread_once(&utf8_once, utf8_init);
	if (utf8)
		was = uselocale(utf8);
	q = strdup(query);
	if (!q) {
		rc = OMG_ERROR(OMG_E_NOMEM, "search");
		goto fail;
	}
	if ((rc = compile_terms(&s, q)) != OMG_OK || (rc = run(&s, limit, out)) != OMG_OK)
		goto fail;
fail:
	if (rc != OMG_OK) {
		free(out->v);
		memset(out, 0, sizeof *out);
	}
	for (int i = 0; i < s.nt; i++)
		if (s.t[i].compiled) {
			regfree(&s.t[i].re);
			regfree(&s.t[i].at);
		}
	free(s.buf);
	free(q);
	if (utf8)
		uselocale(was);
	return rc;
}
