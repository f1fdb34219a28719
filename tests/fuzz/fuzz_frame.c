/* fuzz_frame.c — libFuzzer target: arbitrary bytes as a stream of frames, through the header
 * decoder, every payload decoder, and omgd's dispatcher over a small index. Anything the
 * server cannot parse must become an ERROR answer, never a crash or an overrun. */
#include "config.h"
#include "db.h"
#include "log.h"
#include "omgd.h"
#include "omg_error.h"
#include "proto.h"

#include <stdlib.h>
#include <string.h>

void omgd_log(const char *fmt, ...) { (void)fmt; }

static int no_record(const struct db *db, uint32_t v, struct record *out)
{
	(void)db;
	(void)v;
	*out = (struct record){ 0 };
	return OMG_E_NOTFOUND;
}

static const struct backend fuzz_backend = { .name = "fuzz", .record = no_record };
static struct db db;
static struct daemon d;

static void add(const char *name, const char *ver, uint32_t flags)
{
	int created;
	uint32_t p = db_pkg_get(&db, name, strlen(name), db.native_arch, 1);
	uint32_t v = db_ver_get(&db, p, ver, strlen(ver), &created);
	db.vers[v].desc = db_str(&db, "a test package", 14);
	db.pkgs[p].cand = v;
	if (flags & DB_PKG_INSTALLED)
		db.pkgs[p].inst = v;
	db.pkgs[p].flags = flags;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	db_init(&db);
	db.native_arch = db_str(&db, "amd64", 5);
	add("bash", "5.2-1", DB_PKG_INSTALLED);
	add("firefox-esr", "115.0", 0);
	add("libfire", "1:2.0~rc1", DB_PKG_INSTALLED | DB_PKG_UPGRADABLE | DB_PKG_AUTO | DB_PKG_ORPHAN);
	db_finish(&db);
	d.backend = &fuzz_backend;
	d.db = &db;
	strcpy(d.root, "/");
	return 0;
}

static void decode_all(const uint8_t *p, size_t n)
{
	struct omg_hello h;
	struct omg_status_msg st;
	struct omg_query q;
	struct omg_rows rows;
	struct omg_pairs pairs;
	struct omg_words words;
	struct omg_error_msg e;
	static struct omg_batch b;

	omg_dec_hello(p, n, &h, 0);
	omg_dec_hello(p, n, &h, 1);
	omg_dec_status(p, n, &st);
	for (uint8_t t = OMG_MSG_HELLO; t <= OMG_MSG_METRICS; t++)
		omg_dec_query(p, n, t, &q);
	if (omg_dec_rows(p, n, &rows) == 0)
		omg_rows_free(&rows);
	if (omg_dec_pairs(p, n, OMG_MSG_INFO | OMG_MSG_ANSWER, &pairs) == 0)
		omg_pairs_free(&pairs);
	if (omg_dec_pairs(p, n, OMG_MSG_METRICS | OMG_MSG_ANSWER, &pairs) == 0)
		omg_pairs_free(&pairs);
	if (omg_dec_words(p, n, &words) == 0)
		omg_words_free(&words);
	omg_dec_error(p, n, &e);
	{
		struct omg_providers pv;
		if (omg_dec_providers(p, n, &pv) == 0)
			omg_providers_free(&pv);
	}
	omg_dec_batch(p, n, &b);
	{
		struct omg_words fw;
		uint32_t total;
		if (omg_dec_files(p, n, &total, &fw) == 0)
			omg_words_free(&fw);
	}
	{
		struct omg_providers pv;
		uint32_t flags;
		if (omg_dec_similar(p, n, &flags, &pv) == 0)
			omg_providers_free(&pv);
	}
	{
		struct omg_sizes sz;
		if (omg_dec_sizes(p, n, &sz) == 0)
			omg_sizes_free(&sz);
	}
	{
		struct omg_rels rs;
		if (omg_dec_rels(p, n, &rs) == 0) {
			for (uint32_t i = 0; i < rs.count; i++)
				if (rs.v[i].kind > OMG_REL_KIND_MAX || (rs.v[i].nalts && !rs.v[i].alts[rs.v[i].nalts - 1]))
					abort();
			omg_rels_free(&rs);
		}
	}
	{
		struct omg_versions vs;
		if (omg_dec_versions(p, n, &vs) == 0) {
			for (uint32_t i = 0; i < vs.count; i++)
				for (uint32_t j = 0; j < vs.v[i].nfiles; j++)
					if (!vs.v[i].files[j].desc)
						abort();
			omg_versions_free(&vs);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct omg_wbuf out = { 0 };
	struct dispatch_job *job = NULL;

	while (size >= OMG_HEADER_SIZE) {
		struct omg_header h;
		struct omg_header ah;
		if (omg_header_decode(data, OMG_REQUEST_MAX, &h) != 0)
			break;
		if (size - OMG_HEADER_SIZE < h.length)
			break;
		decode_all(data + OMG_HEADER_SIZE, h.length);
		omg_wbuf_reset(&out);
		if (dispatch_request(&d, h.type, h.id, data + OMG_HEADER_SIZE, h.length, &out, 0, &job) == 2)
			while (dispatch_continue(&d, job, &out) != 0) /* a batch answered in slices */
				;
		/* the answer is always one well-formed frame */
		if (out.len < OMG_HEADER_SIZE || omg_header_decode(out.data, OMG_FRAME_MAX, &ah) != 0 ||
		    ah.length + OMG_HEADER_SIZE != out.len || ah.id != h.id)
			abort();
		data += OMG_HEADER_SIZE + h.length;
		size -= OMG_HEADER_SIZE + h.length;
	}
	decode_all(data, size);
	omg_wbuf_free(&out);
	return 0;
}
