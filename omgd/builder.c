/* builder.c — see builder.h. */
#include "config.h"
#include "builder.h"
#include "omg_error.h"
#include "status_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

struct builder {
	const struct backend *backend;
	char root[4096];
	int efd;
	pthread_t thread;
	int running, again;
	struct db *result;
	int rc;
	char err[512];
};

int builder_open(struct builder **out, const struct backend *backend, const char *root)
{
	struct builder *b = calloc(1, sizeof *b);

	if (!b)
		return OMG_ERROR(OMG_E_NOMEM, "builder");
	b->backend = backend;
	snprintf(b->root, sizeof b->root, "%s", root);
	b->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->efd < 0) {
		free(b);
		return OMG_ERROR(OMG_E_SYS, "eventfd: %s", strerror(errno));
	}
	*out = b;
	return OMG_OK;
}

int builder_fd(const struct builder *b)
{
	return b->efd;
}

int builder_busy(const struct builder *b)
{
	return b->running;
}

static void *build_thread(void *arg)
{
	struct builder *b = arg;
	struct db *db = malloc(sizeof *db);
	struct timespec t0, t1;
	uint64_t one = 1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = db ? db_init(db) : OMG_ERROR(OMG_E_NOMEM, "index");
	if (rc == OMG_OK)
		rc = b->backend->build(db, b->root);
	if (rc == OMG_OK)
		rc = db_finish(db);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != OMG_OK) {
		snprintf(b->err, sizeof b->err, "%s", omg_errdetail());
		if (db)
			db_free(db);
		free(db);
		db = NULL;
	} else {
		db->built_at = omg_now();
		db->build_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	b->result = db;
	b->rc = rc;
	if (write(b->efd, &one, sizeof one) != sizeof one)
		abort(); /* cannot happen with an eventfd below its maximum */
	return NULL;
}

void builder_request(struct builder *b)
{
	if (b->running) {
		b->again = 1;
		return;
	}
	b->running = 1;
	b->again = 0;
	if (pthread_create(&b->thread, NULL, build_thread, b) != 0) {
		b->running = 0;
		b->rc = OMG_E_SYS;
		snprintf(b->err, sizeof b->err, "pthread_create failed");
	}
}

struct db *builder_collect(struct builder *b, int *rc, char *err, size_t errlen)
{
	uint64_t n;
	struct db *db;

	if (read(b->efd, &n, sizeof n) != sizeof n || !b->running)
		return *rc = -1, NULL;
	pthread_join(b->thread, NULL);
	b->running = 0;
	db = b->result;
	b->result = NULL;
	*rc = b->rc;
	snprintf(err, errlen, "%s", b->err);
	if (b->again)
		builder_request(b);
	return db;
}

void builder_close(struct builder *b)
{
	if (!b)
		return;
	if (b->running) {
		pthread_join(b->thread, NULL);
		if (b->result) {
			db_free(b->result);
			free(b->result);
		}
	}
	close(b->efd);
	free(b);
}
