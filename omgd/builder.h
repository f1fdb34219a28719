/* builder.h — builds a new db on a worker thread, so the event loop never waits for the
 * package lists. One build at a time; a request during a build is remembered and served
 * by one more build when it ends. Completion is signalled on an eventfd. */
#ifndef OMGD_BUILDER_H
#define OMGD_BUILDER_H

#include "backend.h"

struct builder;

int builder_open(struct builder **b, const struct backend *backend, const char *root);
int builder_fd(const struct builder *b);          /* readable when a build ended */
void builder_request(struct builder *b);          /* start (or queue) a build */
int builder_busy(const struct builder *b);
/* After builder_fd became readable: the new db (caller owns it) or NULL and *RC. */
struct db *builder_collect(struct builder *b, int *rc, char *err, size_t errlen);
void builder_close(struct builder *b);

#endif
