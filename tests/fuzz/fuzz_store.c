/* fuzz_store.c — libFuzzer target for the bytes omgd reads back from its store: a snapshot
 * of the index (checksum skipped, so that mutations reach the decoder and db_validate) and
 * an audit record. A snapshot that is accepted must then answer searches, suggestions and
 * lookups without a crash, overrun or endless walk.
 * With OMG_FUZZ_SEED=FILE set, it writes one valid snapshot there and exits (the corpus). */
#include "config.h"
#include "audit.h"
#include "db.h"
#include "omg_error.h"
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_seed(const char *path)
{
	struct db db;
	uint32_t a, p, v;
	int created;
	void *buf;
	size_t n;
	FILE *f;

	db_init(&db);
	a = db.native_arch = db_str(&db, "amd64", 5);
	for (int i = 0; i < 3; i++) {
		const char *names[] = { "firefox-esr", "fish", "bash" };
		p = db_pkg_get(&db, names[i], strlen(names[i]), a, 1);
		v = db_ver_get(&db, p, "1.0-1", 5, &created);
		db.vers[v].desc = db_str(&db, "a package", 9);
		db.pkgs[p].cand = v;
	}
	db_cmd_add(&db, "fish", 4, "fish", 4, "/usr/bin/fish", 13, 0);
	db_input_add(&db, "/nonexistent");
	db_finish(&db);
	n = snapshot_size(&db);
	buf = malloc(n);
	snapshot_write(&db, buf);
	if ((f = fopen(path, "wb"))) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
	free(buf);
	db_free(&db);
	exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seed = getenv("OMG_FUZZ_SEED");

	(void)argc;
	(void)argv;
	if (seed)
		write_seed(seed);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_record r;
	struct db db;
	void *copy = NULL;

	audit_decode(data, size, &r);
	/* the decoder needs 8-byte alignment, as LMDB gives it */
	if (size && posix_memalign(&copy, 8, size) == 0) {
		memcpy(copy, data, size);
		if (snapshot_read(copy, size, &db, SNAPSHOT_SKIP_CHECKSUM) == OMG_OK) {
			struct db_hits h;
			uint32_t first, count;
			const char *why;
			if (db_search(&db, "fi", 10, DB_SEARCH_DESCRIPTIONS, &h) == OMG_OK)
				free(h.v);
			if (db_suggest(&db, "f", 10, 0, &h) == OMG_OK)
				free(h.v);
			db_lookup(&db, "bash");
			db_lookup(&db, "bash:amd64");
			db_cmd_find(&db, "fish", &first, &count);
			snapshot_current(&db, &why);
		}
		free(copy);
	}
	return 0;
}
