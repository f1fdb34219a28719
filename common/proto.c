/* proto.c — the codec of wire protocol v1 (see proto.h), used by omgd and every client. */
#include "config.h"
#include "proto.h"
#include "grow.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- frames ---------------------------------------------------------------------- */

static uint32_t load_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int omg_header_decode(const uint8_t raw[OMG_HEADER_SIZE], uint32_t max_payload, struct omg_header *h)
{
	h->length = load_u32(raw);
	h->version = raw[4];
	h->type = raw[5];
	h->flags = (uint16_t)(raw[6] | raw[7] << 8);
	h->id = load_u32(raw + 8);
	if (h->version != OMG_PROTO_VERSION)
		return OMG_ERROR(OMG_E_VERSION, "protocol version %u, this side speaks %u", h->version,
				 OMG_PROTO_VERSION);
	if (h->flags != 0)
		return OMG_ERROR(OMG_E_PROTO, "reserved header flags 0x%04x set", h->flags);
	if (h->length > max_payload)
		return OMG_ERROR(OMG_E_TOOBIG, "frame of %u bytes exceeds %u", h->length, max_payload);
	return OMG_OK;
}

/* ---- writer ---------------------------------------------------------------------- */

void omg_wbuf_reset(struct omg_wbuf *w)
{
	w->len = 0;
	w->frame_start = 0;
	w->failed = 0;
}

void omg_wbuf_rewind(struct omg_wbuf *w, size_t at)
{
	if (at < w->len)
		w->len = at;
	w->failed = 0;
}

void omg_wbuf_free(struct omg_wbuf *w)
{
	free(w->data);
	memset(w, 0, sizeof *w);
}

static uint8_t *wbuf_grow(struct omg_wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->failed)
		return NULL;
	if (n > OMG_FRAME_MAX + OMG_HEADER_SIZE || w->len + n > (size_t)8 * OMG_FRAME_MAX) {
		w->failed = OMG_E_TOOBIG;
		return NULL;
	}
	if ((w->failed = omg_grow(&w->data, &w->cap, w->len + n, 1, (size_t)8 * OMG_FRAME_MAX)) != OMG_OK)
		return NULL;
	p = w->data + w->len;
	w->len += n;
	return p;
}

static void store_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le(struct omg_wbuf *w, uint64_t v, int n)
{
	uint8_t *p = wbuf_grow(w, (size_t)n);

	if (p)
		store_le(p, v, n);
}

void omg_put_u8(struct omg_wbuf *w, uint8_t v) { put_le(w, v, 1); }
void omg_put_u16(struct omg_wbuf *w, uint16_t v) { put_le(w, v, 2); }
void omg_put_u32(struct omg_wbuf *w, uint32_t v) { put_le(w, v, 4); }
void omg_put_u64(struct omg_wbuf *w, uint64_t v) { put_le(w, v, 8); }

void omg_put_bytes(struct omg_wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_grow(w, n);

	if (p && n)
		memcpy(p, src, n);
}

void omg_put_strn(struct omg_wbuf *w, const char *s, size_t n)
{
	if (n > UINT32_MAX || (n && memchr(s, 0, n))) {
		w->failed = w->failed ? w->failed : OMG_E_INVAL;
		return;
	}
	omg_put_u32(w, (uint32_t)n);
	omg_put_bytes(w, s, n);
	omg_put_u8(w, 0);
}

void omg_put_str(struct omg_wbuf *w, const char *s)
{
	omg_put_strn(w, s ? s : "", s ? strlen(s) : 0);
}

void omg_patch_u32(struct omg_wbuf *w, size_t at, uint32_t v)
{
	if (!w->failed && at + 4 <= w->len)
		store_le(w->data + at, v, 4);
}

void omg_frame_begin(struct omg_wbuf *w, uint8_t type, uint32_t id)
{
	w->frame_start = w->len;
	omg_put_u32(w, 0);
	omg_put_u8(w, OMG_PROTO_VERSION);
	omg_put_u8(w, type);
	omg_put_u16(w, 0);
	omg_put_u32(w, id);
}

int omg_frame_end(struct omg_wbuf *w, uint32_t max_payload)
{
	size_t payload;

	if (w->failed)
		return OMG_ERROR(w->failed, "encoding a frame: %s", omg_strerror(w->failed));
	payload = w->len - w->frame_start - OMG_HEADER_SIZE;
	if (payload > max_payload)
		return OMG_ERROR(OMG_E_TOOBIG, "frame of %zu bytes exceeds %u", payload, max_payload);
	omg_patch_u32(w, w->frame_start, (uint32_t)payload);
	return OMG_OK;
}

int omg_frame_whole(struct omg_wbuf *w, uint8_t type, uint32_t id, const void *payload, size_t n)
{
	omg_frame_begin(w, type, id);
	omg_put_bytes(w, payload, n);
	return omg_frame_end(w, OMG_FRAME_MAX);
}

int omg_frame_error(struct omg_wbuf *w, uint32_t id, uint32_t code, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	omg_frame_begin(w, OMG_MSG_ERROR, id);
	omg_enc_error(w, code, message);
	return omg_frame_end(w, OMG_FRAME_MAX);
}

/* ---- reader ---------------------------------------------------------------------- */

void omg_rbuf_init(struct omg_rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->failed = 0;
}

const uint8_t *omg_get_bytes(struct omg_rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->failed || n > r->len - r->pos) {
		r->failed = 1;
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

static uint64_t get_le(struct omg_rbuf *r, int n)
{
	const uint8_t *p = omg_get_bytes(r, (size_t)n);
	uint64_t v = 0;

	for (int i = 0; p && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint8_t omg_get_u8(struct omg_rbuf *r) { return (uint8_t)get_le(r, 1); }
uint16_t omg_get_u16(struct omg_rbuf *r) { return (uint16_t)get_le(r, 2); }
uint32_t omg_get_u32(struct omg_rbuf *r) { return (uint32_t)get_le(r, 4); }
uint64_t omg_get_u64(struct omg_rbuf *r) { return get_le(r, 8); }

const char *omg_get_str(struct omg_rbuf *r)
{
	uint32_t n = omg_get_u32(r);
	const uint8_t *p;

	if (r->failed || n >= r->len - r->pos) { /* n bytes plus the NUL must fit */
		r->failed = 1;
		return "";
	}
	p = omg_get_bytes(r, (size_t)n + 1);
	if (!p || p[n] != 0 || memchr(p, 0, n)) {
		r->failed = 1;
		return "";
	}
	return (const char *)p;
}

int omg_rbuf_done(const struct omg_rbuf *r)
{
	if (r->failed)
		return OMG_ERROR(OMG_E_PROTO, "payload truncated or malformed at byte %zu", r->pos);
	if (r->pos != r->len)
		return OMG_ERROR(OMG_E_PROTO, "%zu trailing bytes in payload", r->len - r->pos);
	return OMG_OK;
}

/* A count read from the wire must fit in the bytes left, at MIN_ITEM bytes an item. */
static int count_fits(struct omg_rbuf *r, uint32_t count, size_t min_item)
{
	if (r->failed || (size_t)count > (r->len - r->pos) / min_item) {
		r->failed = 1;
		return 0;
	}
	return 1;
}

uint32_t omg_get_count(struct omg_rbuf *r, size_t min_item)
{
	uint32_t count = omg_get_u32(r);

	return count_fits(r, count, min_item) ? count : 0;
}

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
	if (!count_fits(&r, m->count, 5 * 5 + 4))
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
	if (!count_fits(&r, m->count, metrics ? 13 : 10))
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
	if (!count_fits(&r, m->count, 5))
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
	if (!count_fits(&r, m->count, 14))
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

void omg_enc_versions(struct omg_wbuf *w, const struct omg_versions *m)
{
	omg_put_u32(w, m->flags);
	omg_put_str(w, m->name);
	omg_put_str(w, m->arch);
	omg_put_u32(w, m->installed);
	omg_put_u32(w, m->candidate);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_version *v = &m->v[i];
		omg_put_str(w, v->version);
		omg_put_u32(w, (uint32_t)v->prio);
		omg_put_u32(w, v->flags);
		omg_put_u32(w, v->nfiles);
		for (uint32_t j = 0; j < v->nfiles; j++) {
			omg_put_u32(w, (uint32_t)v->files[j].prio);
			omg_put_str(w, v->files[j].desc);
		}
		omg_put_str(w, v->record);
	}
	omg_put_u32(w, m->nproviders);
	for (uint32_t i = 0; i < m->nproviders; i++) {
		omg_put_str(w, m->providers[i].name);
		omg_put_str(w, m->providers[i].arch);
		omg_put_str(w, m->providers[i].version);
		omg_put_u32(w, m->providers[i].flags);
		omg_put_u32(w, m->providers[i].installed);
	}
}

void omg_versions_free(struct omg_versions *m)
{
	for (uint32_t i = 0; m->v && i < m->count; i++)
		free(m->v[i].files);
	free(m->v);
	free(m->providers);
	m->v = NULL;
	m->providers = NULL;
	m->count = m->nproviders = 0;
}

int omg_dec_versions(const void *p, size_t n, struct omg_versions *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->flags = omg_get_u32(&r);
	m->name = omg_get_str(&r);
	m->arch = omg_get_str(&r);
	m->installed = omg_get_u32(&r);
	m->candidate = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	/* a version is at least 22 bytes: its string (5), three u32 and an empty record (5) */
	if (!count_fits(&r, m->count, 22))
		return omg_rbuf_done(&r);
	if ((m->installed != OMG_VERSION_NONE && m->installed >= m->count) ||
	    (m->candidate != OMG_VERSION_NONE && m->candidate >= m->count))
		return OMG_ERROR(OMG_E_PROTO, "VERSIONS: version index out of range");
	if (!(m->v = calloc(m->count ? m->count : 1, sizeof *m->v)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u versions", m->count);
	for (uint32_t i = 0; i < m->count && !r.failed; i++) {
		struct omg_version *v = &m->v[i];
		v->version = omg_get_str(&r);
		v->prio = (int32_t)omg_get_u32(&r);
		v->flags = omg_get_u32(&r);
		v->nfiles = omg_get_u32(&r);
		if (!count_fits(&r, v->nfiles, 9)) {
			v->nfiles = 0;
			break;
		}
		if (!(v->files = calloc(v->nfiles ? v->nfiles : 1, sizeof *v->files))) {
			v->nfiles = 0;
			omg_versions_free(m);
			return OMG_ERROR(OMG_E_NOMEM, "decoding versions");
		}
		for (uint32_t j = 0; j < v->nfiles; j++) {
			v->files[j].prio = (int32_t)omg_get_u32(&r);
			v->files[j].desc = omg_get_str(&r);
		}
		v->record = omg_get_str(&r);
	}
	m->nproviders = omg_get_u32(&r);
	/* a provider is at least 23 bytes: three strings (5 each) and two u32 */
	if (count_fits(&r, m->nproviders, 23)) {
		if (!(m->providers = calloc(m->nproviders ? m->nproviders : 1, sizeof *m->providers))) {
			m->nproviders = 0;
			omg_versions_free(m);
			return OMG_ERROR(OMG_E_NOMEM, "decoding providers");
		}
		for (uint32_t i = 0; i < m->nproviders; i++) {
			m->providers[i].name = omg_get_str(&r);
			m->providers[i].arch = omg_get_str(&r);
			m->providers[i].version = omg_get_str(&r);
			m->providers[i].flags = omg_get_u32(&r);
			m->providers[i].installed = omg_get_u32(&r);
		}
	} else
		m->nproviders = 0;
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_versions_free(m);
	return rc;
}

void omg_enc_rels(struct omg_wbuf *w, const struct omg_rels *m)
{
	omg_put_str(w, m->name);
	omg_put_str(w, m->version);
	omg_put_u32(w, m->flags);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		const struct omg_rel *r = &m->v[i];
		omg_put_u8(w, r->kind);
		omg_put_u8(w, r->flags);
		omg_put_str(w, r->package);
		omg_put_str(w, r->target);
		omg_put_str(w, r->op);
		omg_put_str(w, r->version);
		omg_put_u32(w, r->nalts);
		for (uint32_t j = 0; j < r->nalts; j++)
			omg_put_str(w, r->alts[j]);
	}
}

void omg_enc_sizes(struct omg_wbuf *w, const struct omg_sizes *m)
{
	omg_put_u64(w, m->total_kib);
	omg_put_u32(w, m->matched);
	omg_put_u32(w, m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		omg_put_str(w, m->rows[i].name);
		omg_put_str(w, m->rows[i].version);
		omg_put_u32(w, m->rows[i].kib);
		omg_put_u32(w, m->rows[i].flags);
	}
}

void omg_sizes_free(struct omg_sizes *m)
{
	free(m->rows);
	m->rows = NULL;
	m->count = 0;
}

int omg_dec_sizes(const void *p, size_t n, struct omg_sizes *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->total_kib = omg_get_u64(&r);
	m->matched = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	/* a row is at least 18 bytes: two strings (5 each) and two u32 */
	if (!count_fits(&r, m->count, 18))
		return omg_rbuf_done(&r);
	if (!(m->rows = calloc(m->count ? m->count : 1, sizeof *m->rows)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u rows", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		m->rows[i].name = omg_get_str(&r);
		m->rows[i].version = omg_get_str(&r);
		m->rows[i].kib = omg_get_u32(&r);
		m->rows[i].flags = omg_get_u32(&r);
	}
	return release_on_error(omg_rbuf_done(&r), m->rows, &m->rows, &m->count);
}

void omg_rels_free(struct omg_rels *m)
{
	for (uint32_t i = 0; m->v && i < m->count; i++)
		free((void *)m->v[i].alts);
	free(m->v);
	m->v = NULL;
	m->count = 0;
}

int omg_dec_rels(const void *p, size_t n, struct omg_rels *m)
{
	struct omg_rbuf r;
	int rc;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->name = omg_get_str(&r);
	m->version = omg_get_str(&r);
	m->flags = omg_get_u32(&r);
	m->count = omg_get_u32(&r);
	/* an entry is at least 26 bytes: two u8, four strings (5 each) and a u32 */
	if (!count_fits(&r, m->count, 26))
		return omg_rbuf_done(&r);
	if (!(m->v = calloc(m->count ? m->count : 1, sizeof *m->v)))
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u relations", m->count);
	for (uint32_t i = 0; i < m->count && !r.failed; i++) {
		struct omg_rel *e = &m->v[i];
		e->kind = omg_get_u8(&r);
		e->flags = omg_get_u8(&r);
		e->package = omg_get_str(&r);
		e->target = omg_get_str(&r);
		e->op = omg_get_str(&r);
		e->version = omg_get_str(&r);
		e->nalts = omg_get_u32(&r);
		if (e->kind > OMG_REL_KIND_MAX)
			r.failed = 1;
		if (!count_fits(&r, e->nalts, 5)) {
			e->nalts = 0;
			break;
		}
		if (!(e->alts = calloc(e->nalts ? e->nalts : 1, sizeof *e->alts))) {
			e->nalts = 0;
			omg_rels_free(m);
			return OMG_ERROR(OMG_E_NOMEM, "decoding relations");
		}
		for (uint32_t j = 0; j < e->nalts; j++)
			e->alts[j] = omg_get_str(&r);
	}
	if ((rc = omg_rbuf_done(&r)) != OMG_OK)
		omg_rels_free(m);
	return rc;
}

void omg_enc_audit_query(struct omg_wbuf *w, const struct omg_audit_query *q)
{
	omg_put_u64(w, q->after_seq);
	omg_put_u64(w, q->since);
	omg_put_u32(w, q->limit);
	omg_put_u32(w, q->flags);
}

int omg_dec_audit_query(const void *p, size_t n, struct omg_audit_query *q)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	q->after_seq = omg_get_u64(&r);
	q->since = omg_get_u64(&r);
	q->limit = omg_get_u32(&r);
	q->flags = omg_get_u32(&r);
	return omg_rbuf_done(&r);
}

size_t omg_enc_audit_head(struct omg_wbuf *w, const struct omg_audit_msg *m)
{
	static const uint8_t zero[OMG_AUDIT_HASH_SIZE];
	size_t at;

	omg_put_str(w, m->store);
	omg_put_u8(w, m->verdict);
	omg_put_u64(w, m->checked);
	omg_put_u64(w, m->bad_seq);
	omg_put_str(w, m->why);
	omg_put_u64(w, m->head_seq);
	omg_put_bytes(w, m->head ? m->head : zero, OMG_AUDIT_HASH_SIZE);
	omg_put_u8(w, m->more);
	at = w->len;
	omg_put_u32(w, m->count);
	return at;
}

void omg_enc_audit_rec(struct omg_wbuf *w, const struct omg_audit_rec *r)
{
	omg_put_u64(w, r->seq);
	omg_put_u64(w, r->time_ns);
	omg_put_u32(w, r->uid);
	omg_put_u32(w, r->result);
	omg_put_u8(w, r->kind);
	omg_put_str(w, r->what);
	omg_put_bytes(w, r->hash, OMG_AUDIT_HASH_SIZE);
}

void omg_enc_audit_end(struct omg_wbuf *w, size_t at, uint8_t more, uint32_t count)
{
	if (!w->failed && at >= 1 && at + 4 <= w->len)
		w->data[at - 1] = more; /* "more" sits just before the count */
	omg_enc_count(w, at, count);
}

int omg_dec_audit(const void *p, size_t n, struct omg_audit_msg *m)
{
	struct omg_rbuf r;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->store = omg_get_str(&r);
	m->verdict = omg_get_u8(&r);
	m->checked = omg_get_u64(&r);
	m->bad_seq = omg_get_u64(&r);
	m->why = omg_get_str(&r);
	m->head_seq = omg_get_u64(&r);
	m->head = omg_get_bytes(&r, OMG_AUDIT_HASH_SIZE);
	m->more = omg_get_u8(&r);
	m->count = omg_get_u32(&r);
	/* each record: 8 + 8 + 4 + 4 + 1 + (4 + 1) + 32 bytes at least */
	if (!count_fits(&r, m->count, 62))
		return omg_rbuf_done(&r);
	m->recs = calloc(m->count ? m->count : 1, sizeof *m->recs);
	if (!m->recs)
		return OMG_ERROR(OMG_E_NOMEM, "decoding %u audit records", m->count);
	for (uint32_t i = 0; i < m->count; i++) {
		struct omg_audit_rec *a = &m->recs[i];
		a->seq = omg_get_u64(&r);
		a->time_ns = omg_get_u64(&r);
		a->uid = omg_get_u32(&r);
		a->result = omg_get_u32(&r);
		a->kind = omg_get_u8(&r);
		a->what = omg_get_str(&r);
		a->hash = omg_get_bytes(&r, OMG_AUDIT_HASH_SIZE);
	}
	return release_on_error(omg_rbuf_done(&r), m->recs, &m->recs, &m->count);
}

void omg_enc_aur_head(struct omg_wbuf *w, uint8_t status, const char *problem, uint8_t cached)
{
	omg_put_u8(w, status);
	omg_put_str(w, problem);
	omg_put_u8(w, cached);
}

int omg_enc_aur_cached(struct omg_wbuf *w, const void *payload, size_t n)
{
	struct omg_rbuf r;
	uint8_t status;
	const char *problem;

	omg_rbuf_init(&r, payload, n);
	status = omg_get_u8(&r);
	problem = omg_get_str(&r);
	omg_get_u8(&r);
	if (r.failed)
		return OMG_ERROR(OMG_E_PROTO, "AUR answer");
	omg_enc_aur_head(w, status, problem, 1);
	omg_put_bytes(w, (const uint8_t *)payload + r.pos, n - r.pos);
	return OMG_OK;
}

int omg_dec_aur(const void *p, size_t n, uint8_t type, struct omg_aur_msg *m)
{
	struct omg_rbuf r;
	const uint8_t *rest;

	omg_rbuf_init(&r, p, n);
	memset(m, 0, sizeof *m);
	m->status = omg_get_u8(&r);
	m->problem = omg_get_str(&r);
	m->cached = omg_get_u8(&r);
	if (r.failed || m->status > OMG_AUR_MISSING)
		return OMG_ERROR(OMG_E_PROTO, "AUR answer");
	if (m->status != OMG_AUR_OK) /* nothing follows */
		return omg_rbuf_done(&r);
	rest = (const uint8_t *)p + r.pos;
	if ((type & ~OMG_MSG_ANSWER) == OMG_MSG_AUR_SEARCH)
		return omg_dec_rows(rest, n - r.pos, &m->rows);
	return omg_dec_pairs(rest, n - r.pos, OMG_MSG_INFO, &m->info);
}

void omg_aur_free(struct omg_aur_msg *m)
{
	omg_rows_free(&m->rows);
	omg_pairs_free(&m->info);
}

void omg_audit_free(struct omg_audit_msg *m)
{
	free(m->recs);
	m->recs = NULL;
	m->count = 0;
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

const char *omg_msg_name(uint8_t type)
{
	static const char *const names[] = {
		[OMG_MSG_HELLO] = "HELLO", [OMG_MSG_PING] = "PING", [OMG_MSG_STATUS] = "STATUS",
		[OMG_MSG_SEARCH] = "SEARCH", [OMG_MSG_INFO] = "INFO", [OMG_MSG_SUGGEST] = "SUGGEST",
		[OMG_MSG_LIST] = "LIST", [OMG_MSG_BATCH] = "BATCH", [OMG_MSG_METRICS] = "METRICS",
		[OMG_MSG_PROVIDES] = "PROVIDES", [OMG_MSG_SIMILAR] = "SIMILAR", [OMG_MSG_FILES] = "FILES",
		[OMG_MSG_CHANGELOG] = "CHANGELOG", [OMG_MSG_VERSIONS] = "VERSIONS", [OMG_MSG_DEPENDS] = "DEPENDS",
		[OMG_MSG_RDEPENDS] = "RDEPENDS", [OMG_MSG_WHY] = "WHY", [OMG_MSG_SIZES] = "SIZES", [OMG_MSG_AUDIT] = "AUDIT",
		[OMG_MSG_PLAN] = "PLAN", [OMG_MSG_ACTED] = "ACTED", [OMG_MSG_VERIFY] = "VERIFY",
		[OMG_MSG_HISTORY] = "HISTORY", [OMG_MSG_OWNS] = "OWNS",
		[OMG_MSG_AUR_SEARCH] = "AUR_SEARCH", [OMG_MSG_AUR_INFO] = "AUR_INFO",
	};
	uint8_t base = type & (uint8_t)~OMG_MSG_ANSWER;

	if (type == OMG_MSG_ERROR)
		return "ERROR";
	if (base < sizeof names / sizeof names[0] && names[base])
		return names[base];
	return "UNKNOWN";
}

const char *omg_wire_strerror(uint32_t code)
{
	static const char *const names[] = {
		[OMG_WERR_BAD_FRAME] = "bad frame", [OMG_WERR_VERSION] = "unsupported version",
		[OMG_WERR_UNKNOWN_TYPE] = "unknown message type", [OMG_WERR_MALFORMED] = "malformed message",
		[OMG_WERR_NOT_FOUND] = "not found", [OMG_WERR_TOO_LARGE] = "too large",
		[OMG_WERR_NOT_READY] = "index not ready", [OMG_WERR_INTERNAL] = "internal error",
		[OMG_WERR_INVALID] = "invalid value", [OMG_WERR_DENIED] = "denied",
	};

	if (code < sizeof names / sizeof names[0] && names[code])
		return names[code];
	return "unknown error";
}
