/* proto.c — the messages of wire protocol v1 (proto.h) that look a package up or list them:
 * HELLO, STATUS, the queries, rows, pairs, words, errors, BATCH, providers. The frame layer is
 * proto_frame.c; the other messages have files of their own (proto_*.c). */
#include "config.h"
#include "proto.h"
#include "omg_error.h"

#include <stdlib.h>
#include <string.h>

/* ---- messages -------------------------------------------------------------------- */

/* A decoder that fails after allocating its array gives it back. */
#define release_on_error(rc, arr, slot, count) \
	((rc) != OMG_OK ? (free((void *)(arr)), *(slot) = NULL, *(count) = 0, (rc)) : (rc))

/* A count of items that follow, 0 until omg_enc_count sets it: returns where it sits. */
static size_t put_count(struct omg_wbuf *w)
{
	size_t at = w->len;

	omg_put_u32(w, 0);
	return at;
}

void omg_enc_count(struct omg_wbuf *w, size_t at, uint32_t count)
{
	omg_patch_u32(w, at, count);
}

void omg_enc_hello(struct omg_wbuf *w, const struct omg_hello *m, int answer)
{
	omg_put_u32(w, OMG_HELLO_MAGIC);
	omg_put_u16(w, m->min_version);
	omg_put_u16(w, m->max_version);
	omg_put_str(w, m->name);
	if (answer) {
		omg_put_str(w, m->backend);
		omg_put_u32(w, m->max_frame);
	}
}

int omg_dec_hello(const void *p, size_t n, struct omg_hello *m, int answer)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->magic = omg_get_u32(&r);
	m->min_version = omg_get_u16(&r);
	m->max_version = omg_get_u16(&r);
	m->name = omg_get_str(&r);
	m->backend = "";
	if (answer) {
		m->backend = omg_get_str(&r);
		m->max_frame = omg_get_u32(&r);
	}
	if (!r.failed && m->magic != OMG_HELLO_MAGIC)
		return OMG_ERROR(OMG_E_PROTO, "hello: bad magic 0x%08x", m->magic);
	return omg_rbuf_done(&r);
}

void omg_enc_status(struct omg_wbuf *w, const struct omg_status_msg *m)
{
	omg_put_u32(w, m->total);
	omg_put_u32(w, m->explicit_pkgs);
	omg_put_u32(w, m->orphans);
	omg_put_u32(w, m->updates);
	omg_put_u32(w, m->security);
	omg_put_u64(w, m->generation);
	omg_put_u64(w, m->updated_at);
	omg_put_u64(w, m->started_at);
	omg_put_u32(w, m->flags);
	omg_put_str(w, m->backend);
	omg_put_str(w, m->root);
	omg_put_str(w, m->store);
	omg_put_u64(w, m->verified_at);
	omg_put_u32(w, m->modified);
	omg_put_u32(w, m->untrusted);
}

int omg_dec_status(const void *p, size_t n, struct omg_status_msg *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	m->total = omg_get_u32(&r);
	m->explicit_pkgs = omg_get_u32(&r);
	m->orphans = omg_get_u32(&r);
	m->updates = omg_get_u32(&r);
	m->security = omg_get_u32(&r);
	m->generation = omg_get_u64(&r);
	m->updated_at = omg_get_u64(&r);
	m->started_at = omg_get_u64(&r);
	m->flags = omg_get_u32(&r);
	m->backend = omg_get_str(&r);
	m->root = omg_get_str(&r);
	m->store = omg_get_str(&r);
	m->verified_at = omg_get_u64(&r);
	m->modified = omg_get_u32(&r);
	m->untrusted = omg_get_u32(&r);
	return omg_rbuf_done(&r);
}

/* SEARCH, SUGGEST, AUR_SEARCH: text, limit, flags. INFO, AUR_INFO: text. LIST: kind, limit. */
void omg_enc_query(struct omg_wbuf *w, uint8_t type, const struct omg_query *q)
{
	switch (type) {
	case OMG_MSG_SEARCH:
	case OMG_MSG_SUGGEST:
	case OMG_MSG_AUR_SEARCH:
		omg_put_str(w, q->text);
		omg_put_u32(w, q->limit);
		omg_put_u32(w, q->flags);
		break;
	case OMG_MSG_INFO:
	case OMG_MSG_AUR_INFO:
	case OMG_MSG_PROVIDES:
	case OMG_MSG_SIMILAR:
	case OMG_MSG_DEPENDS:
	case OMG_MSG_RDEPENDS:
	case OMG_MSG_WHY:
	case OMG_MSG_OWNS:
		omg_put_str(w, q->text);
		break;
	case OMG_MSG_LIST:
		omg_put_u8(w, q->kind);
		omg_put_u32(w, q->limit);
		break;
	case OMG_MSG_SIZES:
		omg_put_u32(w, q->limit);
		break;
	case OMG_MSG_FILES:
	case OMG_MSG_CHANGELOG:
		omg_put_str(w, q->text);
		omg_put_u32(w, q->limit);
		break;
	case OMG_MSG_VERSIONS:
		omg_put_str(w, q->text);
		omg_put_u32(w, q->flags);
		break;
	default:
		break; /* PING, STATUS, METRICS: empty payload */
	}
}

int omg_dec_query(const void *p, size_t n, uint8_t type, struct omg_query *q)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(q, 0, sizeof *q);
	q->text = "";
	switch (type) {
	case OMG_MSG_SEARCH:
	case OMG_MSG_SUGGEST:
	case OMG_MSG_AUR_SEARCH:
		q->text = omg_get_str(&r);
		q->limit = omg_get_u32(&r);
		q->flags = omg_get_u32(&r);
		break;
	case OMG_MSG_INFO:
	case OMG_MSG_AUR_INFO:
	case OMG_MSG_PROVIDES:
	case OMG_MSG_SIMILAR:
	case OMG_MSG_DEPENDS:
	case OMG_MSG_RDEPENDS:
	case OMG_MSG_WHY:
	case OMG_MSG_OWNS:
		q->text = omg_get_str(&r);
		break;
	case OMG_MSG_LIST:
		q->kind = omg_get_u8(&r);
		q->limit = omg_get_u32(&r);
		break;
	case OMG_MSG_SIZES:
		q->limit = omg_get_u32(&r);
		break;
	case OMG_MSG_FILES:
	case OMG_MSG_CHANGELOG:
		q->text = omg_get_str(&r);
		q->limit = omg_get_u32(&r);
		break;
	case OMG_MSG_VERSIONS:
		q->text = omg_get_str(&r);
		q->flags = omg_get_u32(&r);
		break;
	default:
		break;
	}
	return omg_rbuf_done(&r);
}

size_t omg_enc_rows_head(struct omg_wbuf *w)
{
	omg_put_u32(w, 0); /* matched: set by omg_enc_rows_end */
	return put_count(w);
}

void omg_enc_rows_end(struct omg_wbuf *w, size_t at, uint32_t matched, uint32_t count)
{
	if (at >= 4)
		omg_patch_u32(w, at - 4, matched);
	omg_enc_count(w, at, count);
}

void omg_enc_row(struct omg_wbuf *w, const struct omg_pkg_row *row)
{
	omg_put_str(w, row->name);
	omg_put_str(w, row->arch);
	omg_put_str(w, row->installed);
	omg_put_str(w, row->candidate);
	omg_put_str(w, row->description);
	omg_put_u32(w, row->flags);
}

int omg_dec_rows(const void *p, size_t n, struct omg_rows *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->matched = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	if (!omg_count_fits(&r, m->count, 5 * 5 + 4))
		return omg_rbuf_done(&r);
	m->rows = calloc(m->count ? m->count : 1, sizeof *m->rows);
	if (!m->rows)
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u rows", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		struct omg_pkg_row *row = &m->rows[i];
		row->name = omg_get_str(&r);
		row->arch = omg_get_str(&r);
		row->installed = omg_get_str(&r);
		row->candidate = omg_get_str(&r);
		row->description = omg_get_str(&r);
		row->flags = omg_get_u32(&r);
	}
	if (!r.failed && m->count > m->matched)
		r.failed = 1;
	return release_on_error(omg_rbuf_done(&r), m->rows, &m->rows, &m->count);
}

size_t omg_enc_info_head(struct omg_wbuf *w, uint32_t flags)
{
	omg_put_u32(w, flags);
	return put_count(w);
}

size_t omg_enc_metrics_head(struct omg_wbuf *w)
{
	return put_count(w);
}

void omg_enc_kv(struct omg_wbuf *w, const char *key, const char *value)
{
	omg_put_str(w, key);
	omg_put_str(w, value);
}

void omg_enc_metric(struct omg_wbuf *w, const char *name, uint64_t value)
{
	omg_put_str(w, name);
	omg_put_u64(w, value);
}

/* INFO answer: u32 flags, u32 count, (key, value) strings. METRICS: u32 count, (name, u64). */
int omg_dec_pairs(const void *p, size_t n, uint8_t type, struct omg_pairs *m)
{
	struct omg_rbuf r;
	int metrics = (type & ~OMG_MSG_ANSWER) == OMG_MSG_METRICS;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	if (!metrics)
		m->flags = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	if (!omg_count_fits(&r, m->count, metrics ? 13 : 10))
		return omg_rbuf_done(&r);
	m->kv = calloc(m->count ? m->count : 1, sizeof *m->kv);
	if (!m->kv)
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u pairs", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		m->kv[i].key = omg_get_str(&r);
		if (metrics) {
			m->kv[i].number = omg_get_u64(&r);
			m->kv[i].value = "";
		} else {
			m->kv[i].value = omg_get_str(&r);
		}
	}
	return release_on_error(omg_rbuf_done(&r), m->kv, &m->kv, &m->count);
}

size_t omg_enc_words_head(struct omg_wbuf *w)
{
	return put_count(w);
}

size_t omg_enc_files_head(struct omg_wbuf *w, uint32_t total)
{
	omg_put_u32(w, total);
	return put_count(w);
}

void omg_enc_word(struct omg_wbuf *w, const char *word)
{
	omg_put_str(w, word);
}

int omg_dec_words(const void *p, size_t n, struct omg_words *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->count = omg_get_u32(&r);
	if (!omg_count_fits(&r, m->count, 5))
		return omg_rbuf_done(&r);
	m->words = calloc(m->count ? m->count : 1, sizeof *m->words);
	if (!m->words)
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u words", m->count);
	for (uint32_t i = 0; i < m->count; i++)
		m->words[i] = omg_get_str(&r);
	return release_on_error(omg_rbuf_done(&r), (void *)m->words, &m->words, &m->count);
}

void omg_enc_error(struct omg_wbuf *w, uint32_t code, const char *message)
{
	omg_put_u32(w, code);
	omg_put_str(w, message);
}

int omg_dec_error(const void *p, size_t n, struct omg_error_msg *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	m->code = omg_get_u32(&r);
	m->message = omg_get_str(&r);
	return omg_rbuf_done(&r);
}

void omg_enc_batch_head(struct omg_wbuf *w, uint32_t count)
{
	omg_put_u32(w, count);
}

void omg_enc_batch_item(struct omg_wbuf *w, uint8_t type, const void *payload, uint32_t length)
{
	omg_put_u8(w, type);
	omg_put_u32(w, length);
	omg_put_bytes(w, payload, length);
}

int omg_dec_batch(const void *p, size_t n, struct omg_batch *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	m->count = omg_get_u32(&r);
	if (!r.failed && (m->count == 0 || m->count > OMG_BATCH_MAX))
		return OMG_ERROR(OMG_E_PROTO, "batch of %u items (1..%d)", m->count, OMG_BATCH_MAX);
	for (uint32_t i = 0; i < m->count && !r.failed; i++) {
		m->items[i].type = omg_get_u8(&r);
		m->items[i].length = omg_get_u32(&r);
		m->items[i].payload = omg_get_bytes(&r, m->items[i].length);
	}
	return omg_rbuf_done(&r);
}

size_t omg_enc_providers_head(struct omg_wbuf *w)
{
	return put_count(w);
}

size_t omg_enc_similar_head(struct omg_wbuf *w, uint32_t flags)
{
	omg_put_u32(w, flags);
	return put_count(w);
}

void omg_enc_provider(struct omg_wbuf *w, const struct omg_provider *p)
{
	omg_put_str(w, p->package);
	omg_put_str(w, p->path);
	omg_put_u32(w, p->installed);
}

/* PROVIDES answer: u32 count, count x (string package, string path, u32 installed). */
int omg_dec_providers(const void *p, size_t n, struct omg_providers *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->count = omg_get_u32(&r);
	if (!omg_count_fits(&r, m->count, 14))
		return omg_rbuf_done(&r);
	m->v = calloc(m->count ? m->count : 1, sizeof *m->v);
	if (!m->v)
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u providers", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		m->v[i].package = omg_get_str(&r);
		m->v[i].path = omg_get_str(&r);
		m->v[i].installed = omg_get_u32(&r);
	}
	return release_on_error(omg_rbuf_done(&r), m->v, &m->v, &m->count);
}

/* A u32 into *HEAD, then the rest of the payload as DEC decodes it. */
static int dec_u32_then(const void *p, size_t n, uint32_t *head, int (*dec)(const void *, size_t, void *), void *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	*head = omg_get_u32(&r);
	if (r.failed)
		return omg_rbuf_done(&r);
	return dec((const uint8_t *)p + 4, n - 4, m);
}

static int dec_words_any(const void *p, size_t n, void *m) { return omg_dec_words(p, n, m); }
static int dec_providers_any(const void *p, size_t n, void *m) { return omg_dec_providers(p, n, m); }

int omg_dec_files(const void *p, size_t n, uint32_t *total, struct omg_words *m)
{
	memset(m, 0, sizeof *m);
	return dec_u32_then(p, n, total, dec_words_any, m);
}

int omg_dec_similar(const void *p, size_t n, uint32_t *flags, struct omg_providers *m)
{
	memset(m, 0, sizeof *m);
	return dec_u32_then(p, n, flags, dec_providers_any, m);
}

void omg_providers_free(struct omg_providers *m)
{
	free(m->v);
	m->v = NULL;
	m->count = 0;
}

void omg_rows_free(struct omg_rows *m)
{
	free(m->rows);
	m->rows = NULL;
	m->count = 0;
}

void omg_pairs_free(struct omg_pairs *m)
{
	free(m->kv);
	m->kv = NULL;
	m->count = 0;
}

void omg_words_free(struct omg_words *m)
{
	free(m->words);
	m->words = NULL;
	m->count = 0;
}
