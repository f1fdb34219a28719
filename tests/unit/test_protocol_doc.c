/* test_protocol_doc — every hex example in docs/protocol.md is a frame omg decodes.
 *
 * The document is the contract other clients are written from, so its bytes must not drift
 * from the code. Each fenced block is read as hex (a leading label such as "request" and a
 * trailing comment after the hex are skipped), cut into frames by their headers, and each
 * payload is decoded by the decoder its type names, with nothing left over. A new example in
 * the document is a new case here without touching this file. */
#include "config.h"
#include "omg_error.h"
#include "proto.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define BLOCK_MAX 8192

/* Reads the hex pairs of one line into OUT; returns how many, or -1 if the line is not hex. */
static int line_hex(const char *line, uint8_t *out, size_t room)
{
	const char *s = line;
	int n = 0;

	while (*s == ' ')
		s++;
	if (isalpha((unsigned char)s[0]) && !(isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]) && s[2] == ' ')) {
		while (*s && *s != ' ') /* a label: "request", "answer", "error" */
			s++;
		while (*s == ' ')
			s++;
	}
	for (;;) {
		unsigned v;
		if (!(isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]) && (s[2] == ' ' || s[2] == '\n' || !s[2])))
			break;
		if ((size_t)n == room || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
		if (s[0] == ' ' && s[1] == ' ')
			break; /* two spaces: a comment follows */
		while (*s == ' ')
			s++;
	}
	return n ? n : -1;
}

static int decode_payload(uint8_t type, const uint8_t *p, size_t n)
{
	int rc;

	switch (type) {
	case OMG_MSG_HELLO:
	case OMG_MSG_HELLO | OMG_MSG_ANSWER: {
		struct omg_hello m;
		return omg_dec_hello(p, n, &m, type & OMG_MSG_ANSWER ? 1 : 0);
	}
	case OMG_MSG_PING:
	case OMG_MSG_STATUS:
	case OMG_MSG_METRICS:
	case OMG_MSG_PING | OMG_MSG_ANSWER:
		return n == 0 ? OMG_OK : OMG_E_PROTO;
	case OMG_MSG_STATUS | OMG_MSG_ANSWER: {
		struct omg_status_msg m;
		return omg_dec_status(p, n, &m);
	}
	case OMG_MSG_SEARCH:
	case OMG_MSG_SUGGEST:
	case OMG_MSG_INFO:
	case OMG_MSG_PROVIDES:
	case OMG_MSG_SIMILAR:
	case OMG_MSG_FILES:
	case OMG_MSG_CHANGELOG:
	case OMG_MSG_VERSIONS:
	case OMG_MSG_DEPENDS:
	case OMG_MSG_RDEPENDS:
	case OMG_MSG_WHY:
	case OMG_MSG_SIZES:
	case OMG_MSG_OWNS:
	case OMG_MSG_LIST: {
		struct omg_query q;
		return omg_dec_query(p, n, type, &q);
	}
	case OMG_MSG_AUR_SEARCH:
	case OMG_MSG_AUR_INFO: {
		struct omg_query q;
		return omg_dec_query(p, n, type == OMG_MSG_AUR_SEARCH ? OMG_MSG_SEARCH : OMG_MSG_INFO, &q);
	}
	case OMG_MSG_SEARCH | OMG_MSG_ANSWER:
	case OMG_MSG_LIST | OMG_MSG_ANSWER: {
		struct omg_rows m;
		if ((rc = omg_dec_rows(p, n, &m)) == OMG_OK)
			omg_rows_free(&m);
		return rc;
	}
	case OMG_MSG_INFO | OMG_MSG_ANSWER:
	case OMG_MSG_METRICS | OMG_MSG_ANSWER: {
		struct omg_pairs m;
		if ((rc = omg_dec_pairs(p, n, type, &m)) == OMG_OK)
			omg_pairs_free(&m);
		return rc;
	}
	case OMG_MSG_SUGGEST | OMG_MSG_ANSWER: {
		struct omg_words m;
		if ((rc = omg_dec_words(p, n, &m)) == OMG_OK)
			omg_words_free(&m);
		return rc;
	}
	case OMG_MSG_OWNS | OMG_MSG_ANSWER: /* laid out as PROVIDES's */
	case OMG_MSG_PROVIDES | OMG_MSG_ANSWER: {
		struct omg_providers m;
		if ((rc = omg_dec_providers(p, n, &m)) == OMG_OK)
			omg_providers_free(&m);
		return rc;
	}
	case OMG_MSG_FILES | OMG_MSG_ANSWER:
	case OMG_MSG_CHANGELOG | OMG_MSG_ANSWER: {
		struct omg_words m;
		uint32_t total;
		if ((rc = omg_dec_files(p, n, &total, &m)) == OMG_OK)
			omg_words_free(&m);
		return rc;
	}
	case OMG_MSG_DEPENDS | OMG_MSG_ANSWER:
	case OMG_MSG_RDEPENDS | OMG_MSG_ANSWER:
	case OMG_MSG_WHY | OMG_MSG_ANSWER: {
		struct omg_rels m;
		if ((rc = omg_dec_rels(p, n, &m)) == OMG_OK)
			omg_rels_free(&m);
		return rc;
	}
	case OMG_MSG_SIZES | OMG_MSG_ANSWER: {
		struct omg_sizes m;
		if ((rc = omg_dec_sizes(p, n, &m)) == OMG_OK)
			omg_sizes_free(&m);
		return rc;
	}
	case OMG_MSG_VERSIONS | OMG_MSG_ANSWER: {
		struct omg_versions m;
		if ((rc = omg_dec_versions(p, n, &m)) == OMG_OK)
			omg_versions_free(&m);
		return rc;
	}
	case OMG_MSG_SIMILAR | OMG_MSG_ANSWER: {
		struct omg_providers m;
		uint32_t flags;
		if ((rc = omg_dec_similar(p, n, &flags, &m)) == OMG_OK)
			omg_providers_free(&m);
		return rc;
	}
	case OMG_MSG_AUDIT: {
		struct omg_audit_query q;
		return omg_dec_audit_query(p, n, &q);
	}
	case OMG_MSG_AUDIT | OMG_MSG_ANSWER: {
		struct omg_audit_msg m;
		if ((rc = omg_dec_audit(p, n, &m)) == OMG_OK)
			omg_audit_free(&m);
		return rc;
	}
	case OMG_MSG_AUR_SEARCH | OMG_MSG_ANSWER:
	case OMG_MSG_AUR_INFO | OMG_MSG_ANSWER: {
		struct omg_aur_msg m;
		if ((rc = omg_dec_aur(p, n, type, &m)) == OMG_OK)
			omg_aur_free(&m);
		return rc;
	}
	case OMG_MSG_PLAN: {
		struct omg_plan_req q;
		if ((rc = omg_dec_plan_req(p, n, &q)) == OMG_OK)
			omg_plan_req_free(&q);
		return rc;
	}
	case OMG_MSG_PLAN | OMG_MSG_ANSWER: {
		struct omg_plan m;
		if ((rc = omg_dec_plan(p, n, &m)) == OMG_OK)
			omg_plan_free(&m);
		return rc;
	}
	case OMG_MSG_ACTED: {
		struct omg_acted m;
		return omg_dec_acted(p, n, &m);
	}
	case OMG_MSG_ACTED | OMG_MSG_ANSWER:
		return n == 0 ? OMG_OK : OMG_E_PROTO;
	case OMG_MSG_VERIFY: {
		struct omg_verify_req q;
		if ((rc = omg_dec_verify_req(p, n, &q)) == OMG_OK)
			omg_verify_req_free(&q);
		return rc;
	}
	case OMG_MSG_VERIFY | OMG_MSG_ANSWER: {
		struct omg_verify m;
		if ((rc = omg_dec_verify(p, n, &m)) == OMG_OK)
			omg_verify_free(&m);
		return rc;
	}
	case OMG_MSG_HISTORY: {
		struct omg_history_query q;
		return omg_dec_history_query(p, n, &q);
	}
	case OMG_MSG_HISTORY | OMG_MSG_ANSWER: {
		struct omg_history m;
		if ((rc = omg_dec_history(p, n, &m)) == OMG_OK)
			omg_history_free(&m);
		return rc;
	}
	case OMG_MSG_ERROR: {
		struct omg_error_msg m;
		return omg_dec_error(p, n, &m);
	}
	case OMG_MSG_BATCH:
	case OMG_MSG_BATCH | OMG_MSG_ANSWER: {
		static struct omg_batch m;
		if ((rc = omg_dec_batch(p, n, &m)) != OMG_OK)
			return rc;
		for (uint32_t i = 0; i < m.count; i++)
			if ((rc = decode_payload(m.items[i].type, m.items[i].payload, m.items[i].length)) != OMG_OK) {
				print_error("  batch item %u (type %02x) does not decode\n", i, m.items[i].type);
				return rc;
			}
		return OMG_OK;
	}
	default:
		print_error("  type %02x has no decoder in this test\n", type);
		return OMG_E_PROTO;
	}
}

/* Cuts BYTES into frames and decodes each; returns how many frames. */
static int check_block(const uint8_t *bytes, size_t n, int first_line)
{
	size_t at = 0;
	int frames = 0;

	while (at < n) {
		struct omg_header h;
		if (n - at < OMG_HEADER_SIZE)
			fail_msg("docs/protocol.md line %d: %zu stray bytes after %d frame(s)", first_line, n - at, frames);
		if (omg_header_decode(bytes + at, OMG_FRAME_MAX, &h) != OMG_OK)
			fail_msg("docs/protocol.md line %d: frame %d has a bad header", first_line, frames + 1);
		if (h.length > n - at - OMG_HEADER_SIZE)
			fail_msg("docs/protocol.md line %d: frame %d says %u payload bytes, %zu are shown", first_line,
				 frames + 1, h.length, n - at - OMG_HEADER_SIZE);
		if (decode_payload(h.type, bytes + at + OMG_HEADER_SIZE, h.length) != OMG_OK)
			fail_msg("docs/protocol.md line %d: frame %d (%s, type %02x) does not decode", first_line, frames + 1,
				 omg_msg_name(h.type), h.type);
		at += OMG_HEADER_SIZE + h.length;
		frames++;
	}
	return frames;
}

static void test_every_example_decodes(void **state)
{
	static uint8_t block[BLOCK_MAX];
	char line[512];
	FILE *f = fopen(OMG_SRCDIR "/docs/protocol.md", "r");
	int lineno = 0, in_block = 0, hex_block = 0, start = 0, frames = 0, blocks = 0;
	size_t len = 0;
	(void)state;

	assert_non_null(f);
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!strncmp(line, "```", 3)) {
			if (in_block && hex_block && len) {
				int got_frames = check_block(block, len, start);
				print_message("  line %d: %zu bytes, %d frame(s)\n", start, len, got_frames);
				frames += got_frames;
				blocks++;
			}
			in_block = !in_block;
			hex_block = in_block;
			len = 0;
			start = lineno + 1;
			continue;
		}
		if (!in_block || !hex_block)
			continue;
		int got = line_hex(line, block + len, sizeof block - len);
		if (got < 0) {
			hex_block = 0; /* a block of prose or code, not bytes */
			len = 0;
			continue;
		}
		len += (size_t)got;
	}
	fclose(f);
	print_message("%d examples, %d frames decoded\n", blocks, frames);
	/* the document has 10 examples and 14 frames today; fewer means the reader broke */
	assert_true(blocks >= 10);
	assert_true(frames >= 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_example_decodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
