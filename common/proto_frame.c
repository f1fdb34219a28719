/* proto_frame.c — the frame layer of wire protocol v1 (proto.h): the header, the writer and
 * the reader every message is encoded and decoded with, and the names of types and errors. */
#include "config.h"
#include "proto.h"
#include "grow.h"
#include "omg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int omg_count_fits(struct omg_rbuf *r, uint32_t count, size_t min_item)
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

	return omg_count_fits(r, count, min_item) ? count : 0;
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
