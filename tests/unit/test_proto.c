/* test_proto.c — protocol v1 round trips, byte-exact examples and malformed input. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "omg_error.h"
#include "proto.h"

/* docs/protocol.md's first example: PING request id 7. */
static void test_ping_bytes(void **state)
{
	static const uint8_t expect[] = { 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00 };
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_frame_begin(&w, OMG_MSG_PING, 7);
	assert_int_equal(omg_frame_end(&w, OMG_FRAME_MAX), OMG_OK);
	assert_int_equal(w.len, sizeof expect);
	assert_memory_equal(w.data, expect, sizeof expect);
	omg_wbuf_free(&w);
}

/* docs/protocol.md's SEARCH example: "fire", limit 5, descriptions, id 2. */
static void test_search_bytes(void **state)
{
	static const uint8_t expect[] = {
		0x11, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00, 'f', 'i', 'r', 'e', 0x00,
		0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	struct omg_query q = { .text = "fire", .limit = 5, .flags = OMG_SEARCH_DESCRIPTIONS }, back;
	struct omg_wbuf w = { 0 };
	struct omg_header h;
	(void)state;

	omg_frame_begin(&w, OMG_MSG_SEARCH, 2);
	omg_enc_query(&w, OMG_MSG_SEARCH, &q);
	assert_int_equal(omg_frame_end(&w, OMG_FRAME_MAX), OMG_OK);
	assert_int_equal(w.len, sizeof expect);
	assert_memory_equal(w.data, expect, sizeof expect);
	assert_int_equal(omg_header_decode(w.data, OMG_REQUEST_MAX, &h), OMG_OK);
	assert_int_equal(h.type, OMG_MSG_SEARCH);
	assert_int_equal(h.id, 2);
	assert_int_equal(omg_dec_query(w.data + OMG_HEADER_SIZE, h.length, OMG_MSG_SEARCH, &back), OMG_OK);
	assert_string_equal(back.text, "fire");
	assert_int_equal(back.limit, 5);
	assert_int_equal(back.flags, OMG_SEARCH_DESCRIPTIONS);
	omg_wbuf_free(&w);
}

static void test_header_rejections(void **state)
{
	uint8_t raw[OMG_HEADER_SIZE] = { 0, 0, 0, 0, 1, 2, 0, 0, 1, 0, 0, 0 };
	struct omg_header h;
	(void)state;

	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_OK);
	raw[4] = 2;
	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_E_VERSION);
	raw[4] = 1;
	raw[6] = 1;
	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_E_PROTO);
	raw[6] = 0;
	raw[2] = 1; /* 65536 bytes: one over OMG_REQUEST_MAX */
	raw[0] = 1;
	assert_int_equal(omg_header_decode(raw, OMG_REQUEST_MAX, &h), OMG_E_TOOBIG);
	memset(raw, 0xff, 4);
	assert_int_equal(omg_header_decode(raw, OMG_FRAME_MAX, &h), OMG_E_TOOBIG);
}

static void test_status_roundtrip(void **state)
{
	struct omg_status_msg m = { 873, 151, 3, 116, 74, 9, 1700000000, 1690000000, OMG_STATUS_READY, "dpkg", "/",
				    "index store: No space left on device", 1765000000, 2, 1, NULL }, b;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_enc_status(&w, &m);
	assert_int_equal(omg_dec_status(w.data, w.len, &b), OMG_OK);
	assert_int_equal(b.total, 873);
	assert_int_equal(b.security, 74);
	assert_int_equal(b.generation, 9);
	assert_int_equal(b.updated_at, 1700000000);
	assert_string_equal(b.backend, "dpkg");
	assert_string_equal(b.store, "index store: No space left on device");
	assert_int_equal(b.verified_at, 1765000000);
	assert_int_equal(b.modified, 2);
	assert_int_equal(b.untrusted, 1);
	/* every truncation is refused, and so is a trailing byte */
	for (size_t n = 0; n < w.len; n++)
		assert_int_equal(omg_dec_status(w.data, n, &b), OMG_E_PROTO);
	omg_put_u8(&w, 0);
	assert_int_equal(omg_dec_status(w.data, w.len, &b), OMG_E_PROTO);
	omg_wbuf_free(&w);
}

static void test_audit_roundtrip(void **state)
{
	uint8_t head[OMG_AUDIT_HASH_SIZE], h1[OMG_AUDIT_HASH_SIZE];
	struct omg_audit_query q = { 7, 1700000000, 10, OMG_AUDIT_VERIFY }, qb;
	struct omg_audit_msg m = { "", OMG_AUDIT_BROKEN, 41, 12, "record 12: edited", 41, head, 0, 0, NULL }, b;
	struct omg_audit_rec r = { 8, 1700000000123456789ull, 1000, 0, 2, "install foo:amd64 1.0", h1 };
	struct omg_wbuf w = { 0 };
	size_t at;
	(void)state;

	memset(head, 0xab, sizeof head);
	memset(h1, 0x01, sizeof h1);
	omg_enc_audit_query(&w, &q);
	assert_int_equal(omg_dec_audit_query(w.data, w.len, &qb), OMG_OK);
	assert_int_equal(qb.after_seq, 7);
	assert_int_equal(qb.since, 1700000000);
	assert_int_equal(qb.flags, OMG_AUDIT_VERIFY);
	omg_wbuf_reset(&w);
	at = omg_enc_audit_head(&w, &m);
	omg_enc_audit_rec(&w, &r);
	omg_enc_audit_end(&w, at, 1, 1); /* more, and the count, known at the end */
	assert_int_equal(omg_dec_audit(w.data, w.len, &b), OMG_OK);
	assert_int_equal(b.verdict, OMG_AUDIT_BROKEN);
	assert_int_equal(b.bad_seq, 12);
	assert_string_equal(b.why, "record 12: edited");
	assert_memory_equal(b.head, head, sizeof head);
	assert_int_equal(b.more, 1);
	assert_int_equal(b.count, 1);
	assert_int_equal(b.recs[0].seq, 8);
	assert_true(b.recs[0].time_ns == 1700000000123456789ull);
	assert_int_equal(b.recs[0].kind, 2);
	assert_string_equal(b.recs[0].what, "install foo:amd64 1.0");
	assert_memory_equal(b.recs[0].hash, h1, sizeof h1);
	omg_audit_free(&b);
	for (size_t n = 0; n < w.len; n++) {
		assert_int_equal(omg_dec_audit(w.data, n, &b), OMG_E_PROTO);
		assert_null(b.recs);
	}
	/* a count larger than the bytes can hold is refused before any allocation */
	omg_patch_u32(&w, at, 0xffffffffu);
	assert_int_equal(omg_dec_audit(w.data, w.len, &b), OMG_E_PROTO);
	omg_wbuf_free(&w);
}

static void test_rows_roundtrip(void **state)
{
	struct omg_pkg_row r = { "bash", "amd64", "5.2-1", "5.2-2", "GNU Bourne Again SHell",
				 OMG_PKG_INSTALLED | OMG_PKG_UPGRADABLE };
	struct omg_rows rows;
	struct omg_wbuf w = { 0 };
	size_t at;
	(void)state;

	at = omg_enc_rows_head(&w);

	omg_enc_row(&w, &r);
	omg_enc_row(&w, &r);
	omg_enc_rows_end(&w, at, 3, 2);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_OK);
	assert_int_equal(rows.matched, 3);
	assert_int_equal(rows.count, 2);
	assert_string_equal(rows.rows[1].description, "GNU Bourne Again SHell");
	assert_int_equal(rows.rows[1].flags, OMG_PKG_INSTALLED | OMG_PKG_UPGRADABLE);
	omg_rows_free(&rows);
	/* a count larger than the bytes could hold is refused before allocating */
	omg_patch_u32(&w, 4, 0x7fffffff);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_E_PROTO);
	/* trailing bytes: refused, and the rows array is released (found by fuzz_frame) */
	omg_put_u8(&w, 0);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_E_PROTO);
	assert_null(rows.rows);
	w.len--;
	/* count > matched is inconsistent */
	omg_patch_u32(&w, 4, 2);
	omg_patch_u32(&w, 0, 1);
	assert_int_equal(omg_dec_rows(w.data, w.len, &rows), OMG_E_PROTO);
	omg_wbuf_free(&w);
}

static void test_string_rules(void **state)
{
	/* length 3, "abc", then the NUL: good; without the NUL or with an inner NUL: refused */
	static const uint8_t good[] = { 3, 0, 0, 0, 'a', 'b', 'c', 0 };
	static const uint8_t no_nul[] = { 3, 0, 0, 0, 'a', 'b', 'c', 'd' };
	static const uint8_t inner_nul[] = { 3, 0, 0, 0, 'a', 0, 'c', 0 };
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a', 0 };
	struct omg_rbuf r;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_rbuf_init(&r, good, sizeof good);
	assert_string_equal(omg_get_str(&r), "abc");
	assert_int_equal(omg_rbuf_done(&r), OMG_OK);
	omg_rbuf_init(&r, no_nul, sizeof no_nul);
	omg_get_str(&r);
	assert_int_equal(omg_rbuf_done(&r), OMG_E_PROTO);
	omg_rbuf_init(&r, inner_nul, sizeof inner_nul);
	omg_get_str(&r);
	assert_int_equal(omg_rbuf_done(&r), OMG_E_PROTO);
	omg_rbuf_init(&r, huge, sizeof huge);
	omg_get_str(&r);
	assert_int_equal(omg_rbuf_done(&r), OMG_E_PROTO);
	/* the encoder refuses an embedded NUL */
	omg_put_strn(&w, "a\0b", 3);
	assert_int_equal(w.failed, OMG_E_INVAL);
	omg_wbuf_free(&w);
}

static void test_batch_limits(void **state)
{
	struct omg_wbuf w = { 0 };
	struct omg_batch *b = malloc(sizeof *b);
	(void)state;

	omg_enc_batch_head(&w, 2);
	omg_enc_batch_item(&w, OMG_MSG_STATUS, NULL, 0);
	omg_enc_batch_item(&w, OMG_MSG_PING, NULL, 0);
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_OK);
	assert_int_equal(b->count, 2);
	assert_int_equal(b->items[1].type, OMG_MSG_PING);
	omg_patch_u32(&w, 0, 0);
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_E_PROTO);
	omg_patch_u32(&w, 0, OMG_BATCH_MAX + 1);
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_E_PROTO);
	omg_patch_u32(&w, 0, 3); /* says 3, holds 2 */
	assert_int_equal(omg_dec_batch(w.data, w.len, b), OMG_E_PROTO);
	free(b);
	omg_wbuf_free(&w);
}

static void test_hello_and_error(void **state)
{
	struct omg_hello h = { .min_version = 1, .max_version = 1, .name = "omgd", .backend = "dpkg", .max_frame = OMG_FRAME_MAX }, b;
	struct omg_error_msg e;
	struct omg_wbuf w = { 0 };
	(void)state;

	omg_enc_hello(&w, &h, 1);
	assert_memory_equal(w.data, "OMGP", 4);
	assert_int_equal(omg_dec_hello(w.data, w.len, &b, 1), OMG_OK);
	assert_string_equal(b.backend, "dpkg");
	w.data[0] = 'X';
	assert_int_equal(omg_dec_hello(w.data, w.len, &b, 1), OMG_E_PROTO);
	omg_wbuf_reset(&w);
	omg_enc_error(&w, OMG_WERR_NOT_FOUND, "package 'x' not found");
	assert_int_equal(omg_dec_error(w.data, w.len, &e), OMG_OK);
	assert_int_equal(e.code, OMG_WERR_NOT_FOUND);
	assert_string_equal(e.message, "package 'x' not found");
	omg_wbuf_free(&w);
}

/* Answers written item by item (head, items, count) read back with their decoders. */
static void test_itemized_answers(void **state)
{
	struct omg_provider pv = { "git", "/usr/bin/git", 1 };
	struct omg_wbuf w = { 0 };
	struct omg_pairs pairs;
	struct omg_words words;
	struct omg_providers provs;
	uint32_t head;
	size_t at;
	(void)state;

	at = omg_enc_info_head(&w, OMG_PKG_INSTALLED);
	omg_enc_kv(&w, "Package", "bash");
	omg_enc_kv(&w, "Version", "5.2-1");
	omg_enc_count(&w, at, 2);
	assert_int_equal(omg_dec_pairs(w.data, w.len, OMG_MSG_INFO | OMG_MSG_ANSWER, &pairs), OMG_OK);
	assert_int_equal(pairs.flags, OMG_PKG_INSTALLED);
	assert_int_equal(pairs.count, 2);
	assert_string_equal(pairs.kv[1].value, "5.2-1");
	omg_pairs_free(&pairs);

	omg_wbuf_reset(&w);
	at = omg_enc_metrics_head(&w);
	omg_enc_metric(&w, "requests", 7);
	omg_enc_count(&w, at, 1);
	assert_int_equal(omg_dec_pairs(w.data, w.len, OMG_MSG_METRICS | OMG_MSG_ANSWER, &pairs), OMG_OK);
	assert_int_equal(pairs.count, 1);
	assert_int_equal(pairs.kv[0].number, 7);
	omg_pairs_free(&pairs);

	omg_wbuf_reset(&w);
	at = omg_enc_words_head(&w);
	omg_enc_word(&w, "firefox");
	omg_enc_word(&w, "firefox-esr");
	omg_enc_count(&w, at, 2);
	assert_int_equal(omg_dec_words(w.data, w.len, &words), OMG_OK);
	assert_int_equal(words.count, 2);
	assert_string_equal(words.words[1], "firefox-esr");
	omg_words_free(&words);

	omg_wbuf_reset(&w);
	at = omg_enc_files_head(&w, 3);
	omg_enc_word(&w, "/bin/bash");
	omg_enc_count(&w, at, 1);
	assert_int_equal(omg_dec_files(w.data, w.len, &head, &words), OMG_OK);
	assert_int_equal(head, 3);
	assert_int_equal(words.count, 1);
	assert_string_equal(words.words[0], "/bin/bash");
	omg_words_free(&words);

	omg_wbuf_reset(&w);
	at = omg_enc_providers_head(&w);
	omg_enc_provider(&w, &pv);
	omg_enc_count(&w, at, 1);
	assert_int_equal(omg_dec_providers(w.data, w.len, &provs), OMG_OK);
	assert_int_equal(provs.count, 1);
	assert_string_equal(provs.v[0].path, "/usr/bin/git");
	omg_providers_free(&provs);

	omg_wbuf_reset(&w);
	at = omg_enc_similar_head(&w, OMG_SIMILAR_AVAILABLE);
	omg_enc_provider(&w, &pv);
	omg_enc_count(&w, at, 1);
	assert_int_equal(omg_dec_similar(w.data, w.len, &head, &provs), OMG_OK);
	assert_int_equal(head, OMG_SIMILAR_AVAILABLE);
	assert_int_equal(provs.v[0].installed, 1);
	omg_providers_free(&provs);
	omg_wbuf_free(&w);
}

/* docs/protocol.md's ERROR example (INFO "nope", id 4) and its AUR_SEARCH answer (id 11). */
static void test_error_and_aur_bytes(void **state)
{
	static const uint8_t error[] = {
		0x21, 0x00, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
		0x18, 0x00, 0x00, 0x00, 'p', 'a', 'c', 'k', 'a', 'g', 'e', ' ', '\'', 'n', 'o', 'p',
		'e', '\'', ' ', 'n', 'o', 't', ' ', 'f', 'o', 'u', 'n', 'd', 0x00,
	};
	static const uint8_t aur[] = {
		0x2b, 0x00, 0x00, 0x00, 0x01, 0x8c, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x02, 0x24, 0x00, 0x00,
		0x00, 't', 'h', 'e', ' ', 'A', 'U', 'R', ' ', 'd', 'i', 'd', ' ', 'n', 'o', 't',
		' ', 'a', 'n', 's', 'w', 'e', 'r', ' ', 'w', 'i', 't', 'h', 'i', 'n', ' ', '4',
		'0', '0', ' ', 'm', 's', 0x00, 0x00,
	};
	struct omg_wbuf w = { 0 };
	(void)state;

	assert_int_equal(omg_frame_error(&w, 4, OMG_WERR_NOT_FOUND, "package '%s' not found", "nope"), OMG_OK);
	assert_int_equal(w.len, sizeof error);
	assert_memory_equal(w.data, error, sizeof error);
	omg_wbuf_reset(&w);
	omg_frame_begin(&w, OMG_MSG_AUR_SEARCH | OMG_MSG_ANSWER, 11);
	omg_enc_aur_head(&w, OMG_AUR_MISSING, "the AUR did not answer within 400 ms", 0);
	assert_int_equal(omg_frame_end(&w, OMG_FRAME_MAX), OMG_OK);
	assert_int_equal(w.len, sizeof aur);
	assert_memory_equal(w.data, aur, sizeof aur);
	omg_wbuf_free(&w);
}

/* An AUR answer again from a cache: the same answer, its cached field set. AUR requests are
 * laid out as SEARCH and INFO. */
static void test_aur_cached(void **state)
{
	struct omg_pkg_row r = { "yay", "", "", "12.3.5-1", "AUR helper", OMG_PKG_AUR };
	struct omg_query q = { .text = "yay", .limit = 50 }, back;
	struct omg_wbuf w = { 0 }, again = { 0 }, plain = { 0 };
	struct omg_aur_msg m;
	size_t at;
	(void)state;

	omg_enc_aur_head(&w, OMG_AUR_OK, "", 0);
	at = omg_enc_rows_head(&w);
	omg_enc_row(&w, &r);
	omg_enc_rows_end(&w, at, 4, 1);
	assert_int_equal(omg_enc_aur_cached(&again, w.data, w.len), OMG_OK);
	assert_int_equal(again.len, w.len);
	assert_int_equal(omg_dec_aur(again.data, again.len, OMG_MSG_AUR_SEARCH | OMG_MSG_ANSWER, &m), OMG_OK);
	assert_int_equal(m.cached, 1);
	assert_int_equal(m.rows.matched, 4);
	assert_string_equal(m.rows.rows[0].candidate, "12.3.5-1");
	omg_aur_free(&m);
	assert_int_equal(omg_enc_aur_cached(&plain, w.data, 3), OMG_E_PROTO); /* cut in its head */
	omg_wbuf_reset(&w);
	omg_wbuf_reset(&plain);
	omg_enc_query(&w, OMG_MSG_AUR_SEARCH, &q);
	omg_enc_query(&plain, OMG_MSG_SEARCH, &q);
	assert_int_equal(w.len, plain.len);
	assert_memory_equal(w.data, plain.data, w.len);
	assert_int_equal(omg_dec_query(w.data, w.len, OMG_MSG_AUR_SEARCH, &back), OMG_OK);
	assert_string_equal(back.text, "yay");
	assert_int_equal(back.limit, 50);
	omg_wbuf_reset(&w);
	omg_enc_query(&w, OMG_MSG_AUR_INFO, &q);
	assert_int_equal(omg_dec_query(w.data, w.len, OMG_MSG_INFO, &back), OMG_OK);
	assert_string_equal(back.text, "yay");
	omg_wbuf_free(&w);
	omg_wbuf_free(&again);
	omg_wbuf_free(&plain);
}

static void test_frame_size_limit(void **state)
{
	struct omg_wbuf w = { 0 };
	char *big = malloc(OMG_REQUEST_MAX + 1);
	(void)state;

	memset(big, 'a', OMG_REQUEST_MAX);
	big[OMG_REQUEST_MAX] = 0;
	omg_frame_begin(&w, OMG_MSG_SEARCH, 1);
	omg_put_str(&w, big);
	assert_int_equal(omg_frame_end(&w, OMG_REQUEST_MAX), OMG_E_TOOBIG);
	free(big);
	omg_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_bytes),
		cmocka_unit_test(test_search_bytes),
		cmocka_unit_test(test_header_rejections),
		cmocka_unit_test(test_status_roundtrip),
		cmocka_unit_test(test_audit_roundtrip),
		cmocka_unit_test(test_rows_roundtrip),
		cmocka_unit_test(test_string_rules),
		cmocka_unit_test(test_batch_limits),
		cmocka_unit_test(test_hello_and_error),
		cmocka_unit_test(test_itemized_answers),
		cmocka_unit_test(test_error_and_aur_bytes),
		cmocka_unit_test(test_aur_cached),
		cmocka_unit_test(test_frame_size_limit),
	};
	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
