/* test_status_file.c — publish, read, validate, heartbeat and retire the status file. */
#include "config.h"
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "omg_error.h"
#include "shell_state.h"
#include "status_file.h"

static char dir[256], path[300];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/omg-test-sf-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/omg.status", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A plain file at PATH, as a user or an old omg might leave it: always refused. */
static void write_plain(const struct omg_status_file *rec, size_t len)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(rec, 1, len, f), len);
	fclose(f);
}

/* What omgd publishes: a sealed memory file of LEN bytes, PATH linking to it. */
static int sealed_fd = -1;
static void write_raw(const struct omg_status_file *rec, size_t len)
{
	char target[64];

	if (sealed_fd >= 0)
		close(sealed_fd);
	sealed_fd = memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(sealed_fd >= 0);
	assert_int_equal(ftruncate(sealed_fd, (off_t)len), 0);
	assert_int_equal(pwrite(sealed_fd, rec, len, 0), (ssize_t)len);
	assert_int_equal(fcntl(sealed_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
	snprintf(target, sizeof target, "/proc/self/fd/%d", sealed_fd);
	unlink(path);
	assert_int_equal(symlink(target, path), 0);
}

static struct omg_status_file good_record(uint64_t ts)
{
	struct omg_status_file r = { .magic = OMG_STATUS_MAGIC, .version = 1, .total = 873,
				     .explicit_pkgs = 120, .orphans = 3, .updates = 119, .timestamp = ts };
	return r;
}

static void test_publish_then_read(void **state)
{
	struct omg_status_writer w;
	struct omg_counts c = { 873, 120, 3, 119 };
	struct omg_status_file out;
	struct stat st;
	uint64_t now = omg_now();
	(void)state;

	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_OK);
	assert_int_equal(out.total, 873);
	assert_int_equal(out.explicit_pkgs, 120);
	assert_int_equal(out.orphans, 3);
	assert_int_equal(out.updates, 119);
	assert_int_equal(out.timestamp, now);
	omg_status_writer_close(&w, 1);
	assert_int_not_equal(access(path, F_OK), 0);
}

/* The original system's prompt hook reads the counts with od: it must keep working. */
static void test_seed_od_snippet(void **state)
{
	struct omg_status_writer w;
	struct omg_counts c = { 4000000000u, 65536, 7, 119 };
	char cmd[400], line[256];
	unsigned long a, b, d, e, magic;
	FILE *p;
	(void)state;

	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, omg_now()), OMG_OK);
	snprintf(cmd, sizeof cmd, "od -An -j8 -N16 -tu4 '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(line, sizeof line, p));
	pclose(p);
	assert_int_equal(sscanf(line, "%lu %lu %lu %lu", &a, &b, &d, &e), 4);
	assert_int_equal(a, 4000000000u);
	assert_int_equal(b, 65536);
	assert_int_equal(d, 7);
	assert_int_equal(e, 119);
	/* The magic as od shows it. (The seed's troubleshooting text says 1397048659, which is
	 * 0x53454553: a slip in that document; 0x4F4D4753 is 1330464595.) */
	snprintf(cmd, sizeof cmd, "od -An -j0 -N4 -tu4 '%s'", path);
	p = popen(cmd, "r");
	assert_non_null(fgets(line, sizeof line, p));
	pclose(p);
	assert_int_equal(sscanf(line, "%lu", &magic), 1);
	assert_int_equal(magic, 1330464595ul);
	assert_int_equal(magic, OMG_STATUS_MAGIC);
	omg_status_writer_close(&w, 1);
}

static void test_rejections(void **state)
{
	struct omg_status_file out, r;
	uint64_t now = omg_now();
	char link[320];
	(void)state;

	assert_int_equal(omg_status_read(path, &out, now), OMG_E_NOTFOUND);

	r = good_record(now);
	r.magic = 0x53474d4f;
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_CORRUPT);

	r = good_record(now);
	r.version = 2;
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_VERSION);

	r = good_record(now);
	r.pad[1] = 1;
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_CORRUPT);

	r = good_record(now);
	write_raw(&r, 31);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_CORRUPT);
	write_raw(&r, 0);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_CORRUPT);

	/* Age: the boundary is accepted, one second past it is not; the future is refused. */
	r = good_record(now - OMG_STATUS_MAX_AGE_SECS);
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_OK);
	r = good_record(now - OMG_STATUS_MAX_AGE_SECS - 1);
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_STALE);
	r = good_record(now + OMG_STATUS_MAX_SKEW_SECS + 1);
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_STALE);
	r = good_record(0);
	write_raw(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_STALE);

	/* A link to the sealed object is what omgd publishes: followed. */
	r = good_record(now);
	write_raw(&r, 32);
	snprintf(link, sizeof link, "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(omg_status_read(link, &out, now), OMG_OK);
	unlink(link);

	/* A valid record in a plain file is refused: it could be truncated under a mapping. */
	write_plain(&r, 32);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_PERM);
	write_plain(&r, 0);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_PERM);

	/* Not a regular file. */
	snprintf(link, sizeof link, "%s/fifo", dir);
	assert_int_equal(mkfifo(link, 0600), 0);
	assert_int_equal(omg_status_read(link, &out, now), OMG_E_PERM);
	snprintf(link, sizeof link, "%s/sub", dir);
	assert_int_equal(mkdir(link, 0700), 0);
	assert_int_equal(omg_status_read(link, &out, now), OMG_E_PERM);
	unlink(path);
}

static void test_foreign_owner(void **state)
{
	struct omg_status_file out, r = good_record(omg_now());
	(void)state;

	if (getuid() != 0)
		skip(); /* only root can give a file away */
	write_raw(&r, 32);
	assert_int_equal(fchown(sealed_fd, 4242, 4242), 0);
	assert_int_equal(omg_status_read(path, &out, omg_now()), OMG_E_PERM);
	unlink(path);
}

/* The staleness rule and the heartbeat fit: a file kept by heartbeats is never stale. */
static void test_heartbeat_keeps_fresh(void **state)
{
	struct omg_status_writer w;
	struct omg_counts c = { 1, 1, 0, 0 };
	struct omg_status_file out;
	uint64_t t0 = omg_now() - 1000;
	(void)state;

	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, t0), OMG_OK);
	for (uint64_t t = t0; t < t0 + 200; t += OMG_STATUS_HEARTBEAT_SECS) {
		assert_int_equal(omg_status_heartbeat(&w, t), OMG_OK);
		/* Readers at any moment until the next heartbeat (and two missed ones) accept it. */
		for (uint64_t r = t; r <= t + 3 * OMG_STATUS_HEARTBEAT_SECS; r++) {
			out = (struct omg_status_file){ 0 };
			assert_int_equal(pread(open(path, O_RDONLY | O_CLOEXEC), &out, 32, 0), 32);
			assert_int_equal(omg_status_validate(&out, r), OMG_OK);
		}
	}
	omg_status_writer_close(&w, 1);
}

/* A long-lived reader keeps a mapping, sees heartbeats in place and follows a publish. */
static void test_map_follows_publish(void **state)
{
	struct omg_status_writer w;
	struct omg_status_map m = { 0 };
	struct omg_counts c = { 10, 5, 1, 2 };
	struct omg_status_file out;
	uint64_t now = omg_now();
	(void)state;

	assert_int_equal(omg_status_map_read(&m, path, &out, now), OMG_E_NOTFOUND);
	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	/* Within the same second a missing file is not looked for again... */
	assert_int_equal(omg_status_map_read(&m, path, &out, now), OMG_E_NOTFOUND);
	/* ...but one second later it is. */
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 1), OMG_OK);
	assert_int_equal(out.updates, 2);
	assert_int_equal(omg_status_heartbeat(&w, now + 2), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 2), OMG_OK);
	assert_int_equal(out.timestamp, now + 2);
	/* the fast path agrees while the mapping is current... */
	assert_int_equal(omg_status_map_peek(&m, &out, now + 2), OMG_OK);
	assert_int_equal(omg_status_map_peek(&m, &out, now + 2 + OMG_STATUS_MAX_AGE_SECS + 1), OMG_E_STALE);
	/* A publish retires the old file: the reader follows at once, same second. */
	c.updates = 5;
	assert_int_equal(omg_status_publish(&w, &c, now + 2), OMG_OK);
	assert_int_equal(omg_status_map_peek(&m, &out, now + 2), OMG_E_STALE); /* retired */
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 2), OMG_OK);
	assert_int_equal(out.updates, 5);
	/* Daemon exit: retired and removed; readers answer "no value". */
	omg_status_writer_close(&w, 1);
	assert_int_not_equal(omg_status_map_read(&m, path, &out, now + 3), OMG_OK);
	omg_status_map_close(&m);
}

/* A command run in the shell (omg ping starting omgd) makes the next read look again, in the
 * same second: the prompt right after it has the counts (omg_shell_ran). */
static void test_shell_ran_looks_again(void **state)
{
	struct omg_status_writer w;
	struct omg_shell sh = { 0 };
	struct omg_counts c = { 10, 5, 1, 2 };
	struct omg_status_file out;
	uint64_t now = omg_now();
	(void)state;

	assert_int_equal(omg_status_map_read(&sh.map, path, &out, now), OMG_E_NOTFOUND);
	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	assert_int_equal(omg_status_map_read(&sh.map, path, &out, now), OMG_E_NOTFOUND); /* the last look's word */
	omg_shell_ran(&sh);
	assert_int_equal(omg_status_map_read(&sh.map, path, &out, now), OMG_OK);
	assert_int_equal(out.total, 10);
	omg_status_writer_close(&w, 1);
	omg_status_map_close(&sh.map);
}

/* The system daemon's plain file (omgd --system): 0644, read by copy, never mapped; a
 * heartbeat keeps the reader's epoch (its STATUS stays cached), a publish changes it. */
static void test_plain_file_copied(void **state)
{
	struct omg_status_writer w;
	struct omg_status_map m = { 0 };
	struct omg_counts c = { 10, 5, 1, 2 };
	struct omg_status_file out;
	struct stat st;
	uint64_t now = omg_now(), epoch;
	(void)state;

	if (getuid() != 0)
		skip(); /* only root's plain file is trusted, and only root can make one */
	/* taken in the system daemon's directory only: elsewhere refused as before */
	omg_status_writer_init_plain(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	assert_int_equal(omg_status_read(path, &out, now), OMG_E_PERM);
	setenv("OMG_SYSTEM_DIR", dir, 1);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(omg_status_read(path, &out, now), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now), OMG_OK);
	assert_true(m.copied);
	assert_null(m.map);
	assert_int_equal(out.updates, 2);
	epoch = m.epoch;
	/* the fast path answers from the copy, with no system call */
	assert_int_equal(omg_status_map_peek(&m, &out, now), OMG_OK);
	assert_int_equal(omg_status_heartbeat(&w, now + 1), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 1), OMG_OK);
	assert_int_equal(out.timestamp, now + 1);
	assert_int_equal(m.epoch, epoch);
	c.updates = 7;
	assert_int_equal(omg_status_publish(&w, &c, now + 1), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 2), OMG_OK);
	assert_int_equal(out.updates, 7);
	assert_int_not_equal(m.epoch, epoch);
	/* written over by hand: the next check puts the record back */
	{
		uint32_t bogus = 999;
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(pwrite(fd, &bogus, sizeof bogus, 20), (ssize_t)sizeof bogus);
		close(fd);
	}
	assert_int_equal(omg_status_check(&w, now + 2), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 3), OMG_OK);
	assert_int_equal(out.updates, 7);
	/* writable by others: no longer trusted */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_not_equal(omg_status_map_read(&m, path, &out, now + 4), OMG_OK);
	omg_status_writer_close(&w, 1);
	assert_int_not_equal(lstat(path, &st), 0);
	omg_status_map_close(&m);
	unsetenv("OMG_SYSTEM_DIR");
}

/* A reader that lost its mapping (the runtime directory could not be named for a moment)
 * and finds the same file linked again maps it again: it does not answer OMG_OK without
 * reading (the mapping's NOTFOUND was overwritten by the runtime path's OMG_OK). */
static void test_map_after_runtime_path_failure(void **state)
{
	struct omg_status_writer w;
	struct omg_status_map m = { 0 };
	struct omg_counts c = { 10, 5, 1, 7 };
	struct omg_status_file out;
	char *saved = getenv("XDG_RUNTIME_DIR") ? strdup(getenv("XDG_RUNTIME_DIR")) : NULL;
	char huge[5000];
	uint64_t now = omg_now();
	(void)state;

	assert_int_equal(setenv("XDG_RUNTIME_DIR", dir, 1), 0);
	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, NULL, &out, now), OMG_OK);
	assert_int_equal(out.updates, 7);
	/* a runtime path too long to name: the reader drops its mapping */
	memset(huge, 'x', sizeof huge - 1);
	huge[0] = '/';
	huge[sizeof huge - 1] = 0;
	assert_int_equal(setenv("XDG_RUNTIME_DIR", huge, 1), 0);
	assert_int_not_equal(omg_status_map_read(&m, NULL, &out, now + 1), OMG_OK);
	/* back: the same file is still linked there, and its counts are read again */
	assert_int_equal(setenv("XDG_RUNTIME_DIR", dir, 1), 0);
	memset(&out, 0xa5, sizeof out);
	assert_int_equal(omg_status_heartbeat(&w, now + 2), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, NULL, &out, now + 2), OMG_OK);
	assert_int_equal(out.updates, 7);
	assert_int_equal(out.total, 10);
	assert_int_equal(out.timestamp, now + 2);
	omg_status_writer_close(&w, 1);
	omg_status_map_close(&m);
	if (saved)
		setenv("XDG_RUNTIME_DIR", saved, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
	free(saved);
}

/* A file left by a dead daemon is retired by the next daemon's first publish. */
static void test_new_daemon_retires_old_file(void **state)
{
	struct omg_status_writer w1, w2;
	struct omg_status_map m = { 0 };
	struct omg_counts c = { 10, 5, 1, 2 };
	struct omg_status_file out;
	uint64_t now = omg_now();
	(void)state;

	omg_status_writer_init(&w1, path);
	assert_int_equal(omg_status_publish(&w1, &c, now), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now), OMG_OK);
	c.updates = 9;
	omg_status_writer_init(&w2, path);
	assert_int_equal(omg_status_publish(&w2, &c, now), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now), OMG_OK);
	assert_int_equal(out.updates, 9);
	omg_status_writer_close(&w1, 0);
	omg_status_writer_close(&w2, 1);
	omg_status_map_close(&m);
}

/* Nothing done to the path can crash a reader or the writer: truncation is refused by the
 * seals, a replaced or rewritten file is refused by the readers and repaired by the next
 * heartbeat, and a daemon that vanishes takes its readers' values along within a second. */
static void test_hostile_changes(void **state)
{
	struct omg_status_writer w;
	struct omg_status_map m = { 0 };
	struct omg_counts c = { 10, 5, 1, 2 };
	struct omg_status_file out, r;
	uint64_t now = omg_now();
	int fd;
	(void)state;

	omg_status_writer_init(&w, path);
	assert_int_equal(omg_status_publish(&w, &c, now), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now), OMG_OK);
	/* truncate(2) and O_TRUNC: refused by the seal, the mapping stays whole */
	assert_int_not_equal(truncate(path, 0), 0);
	assert_true(open(path, O_WRONLY | O_TRUNC) < 0);
	assert_int_equal(omg_status_map_peek(&m, &out, now), OMG_OK);
	assert_int_equal(out.updates, 2);
	/* written over in place: refused, then repaired by the heartbeat */
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(pwrite(fd, "XXXX", 4, 0), 4);
	close(fd);
	assert_int_equal(omg_status_map_peek(&m, &out, now), OMG_E_CORRUPT);
	assert_int_equal(omg_status_heartbeat(&w, now + 1), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 1), OMG_OK);
	assert_int_equal(out.updates, 2);
	/* replaced by a plain file: the reader keeps the live object until the path changes, */
	r = good_record(now);
	r.updates = 77;
	write_plain(&r, 32);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 2), OMG_E_PERM);
	/* and the heartbeat puts the link back */
	assert_int_equal(omg_status_heartbeat(&w, now + 2), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 3), OMG_OK);
	assert_int_equal(out.updates, 2);
	/* removed: republished at the next heartbeat */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(omg_status_heartbeat(&w, now + 3), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 4), OMG_OK);
	/* a FIFO or a directory at the path: refused without blocking */
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 5), OMG_E_PERM);
	assert_int_equal(omg_status_heartbeat(&w, now + 5), OMG_OK);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 6), OMG_OK);
	/* the daemon dies (kill -9): its /proc entry goes, readers go empty within a second */
	omg_status_writer_close(&w, 0);
	assert_int_equal(omg_status_map_read(&m, path, &out, now + 6), OMG_OK); /* same second */
	assert_int_not_equal(omg_status_map_read(&m, path, &out, now + 7), OMG_OK);
	omg_status_map_close(&m);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_then_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seed_od_snippet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_keeps_fresh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_follows_publish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_ran_looks_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_file_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_daemon_retires_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_after_runtime_path_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_changes, setup, teardown),
	};
	return cmocka_run_group_tests_name("status_file", tests, NULL, NULL);
}
