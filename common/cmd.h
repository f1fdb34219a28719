/* cmd.h — omg's commands, written once for every front end (the omg executable, the bash
 * builtin, the zsh module). A front end fills an omg_env and calls omg_run(); a command
 * parses its arguments, asks omgd through the client, and prints through the sink.
 *
 * Exit codes (documented in omg(1)):
 *   0 success · 1 nothing found (no search result, unknown package) · 2 usage error ·
 *   3 omgd unavailable (not running, timed out, refused) · 4 other error ·
 *   5 verification failed (omg audit log --verify found a damaged chain) ·
 *   6 the package manager ran and failed (install, remove, upgrade...)
 * omg doctor: 0 every check ok, 1 warnings only, 3 omgd unavailable, 4 a check failed,
 *   5 the last verification found untrusted sources.
 */
#ifndef OMG_CMD_H
#define OMG_CMD_H

#include <stdio.h>

#include "act.h"
#include "client.h"
#include "omg_error.h"
#include "proto.h"

enum omg_exit {
	OMG_EXIT_OK = 0,
	OMG_EXIT_NOTHING = 1,
	OMG_EXIT_USAGE = 2,
	OMG_EXIT_NODAEMON = 3,
	OMG_EXIT_ERROR = 4,
	OMG_EXIT_VERIFY = 5,
	OMG_EXIT_ACTION = 6,   /* the package manager ran and failed (or was interrupted) */
};

struct omg_sink;

/* omg doctor: one check's verdict, what it found, and how to fix it ("" when nothing to do). */
enum omg_check_level { OMG_CHECK_OK, OMG_CHECK_WARN, OMG_CHECK_FAIL };
#define OMG_CHECKS_MAX 24
struct omg_check {
	const char *name;          /* "daemon", "socket", "bash", ... */
	enum omg_check_level level;
	char what[640];
	char fix[256];
};

enum omg_rel_mode { OMG_REL_MODE_DEPENDS, OMG_REL_MODE_RDEPENDS, OMG_REL_MODE_WHY };

/* omg show: one version's fields in the order and form apt show prints them. */
struct omg_shown {
	const struct omg_versions *pkg;
	uint32_t ver;              /* index into pkg->v */
	struct omg_pairs fields;   /* the last one is Description, when the record has one */
	char *buf;                 /* the record's copy the values point into */
	char *desc_copy;           /* the Description taken from another version's record */
	int no_candidate;          /* apt show's "not a real package (virtual)": FIELDS has Package, State */
	char fullname[600], installed_size[32], download_size[32];
};

/* What a command produces, for the sink to print. */
struct omg_sink_ops {
	void (*status)(struct omg_sink *s, const struct omg_status_msg *m);
	void (*rows)(struct omg_sink *s, const struct omg_rows *m);
	void (*info)(struct omg_sink *s, const struct omg_pairs *m);
	void (*words)(struct omg_sink *s, const struct omg_words *m);
	/* files and changelog: lines of text, where a tab stays a tab */
	void (*textlines)(struct omg_sink *s, const struct omg_words *m);
	void (*metrics)(struct omg_sink *s, const struct omg_pairs *m);
	void (*pong)(struct omg_sink *s, const struct omg_hello *m, double ms);
	/* omg not-found: the packages that have COMMAND, else SIMILAR (commands one edit away) */
	void (*providers)(struct omg_sink *s, const char *command, const struct omg_providers *m,
			  const struct omg_providers *similar);
	void (*audit)(struct omg_sink *s, const struct omg_audit_msg *m);   /* omg audit log */
	void (*history)(struct omg_sink *s, const struct omg_history *m);   /* omg history */
	/* omg owns: the rows for each path asked (M[i] for PATHS[i], N of them) */
	void (*owns)(struct omg_sink *s, const char *const *paths, const struct omg_providers *m, int n);
	/* omg search's AUR part (after rows); with HOLD set, JSON rows wait for it. */
	void (*aur)(struct omg_sink *s, const struct omg_aur_msg *m);
	/* omg daemon: EVENT ("running", "started", "already running", "stopped", "not running"),
	 * omgd's PID (0: none) and, when it answered, its STATUS (else NULL). */
	void (*daemon)(struct omg_sink *s, const char *event, int pid, const struct omg_status_msg *m);
	/* omg policy: apt-cache policy's table for each of N packages */
	void (*policy)(struct omg_sink *s, const struct omg_versions *pkgs, uint32_t n);
	/* omg depends, rdepends, why: one package's answer */
	void (*relations)(struct omg_sink *s, enum omg_rel_mode mode, const struct omg_rels *m);
	/* omg size: the largest installed packages */
	void (*sizes)(struct omg_sink *s, const struct omg_sizes *m);
	/* omg info of a virtual package: the packages that provide it (M has no versions) */
	void (*virtual_pkg)(struct omg_sink *s, const struct omg_versions *m);
	/* omg show: N records; MORE versions were left out (without -a) */
	void (*show)(struct omg_sink *s, const struct omg_shown *v, uint32_t n, uint32_t more);
	/* omg install, remove, upgrade...: the plan (R NULL), or what the run did (R): text
	 * prints each when it comes, JSON one document with both at the end */
	void (*plan)(struct omg_sink *s, const struct omg_plan *m, const struct omg_act_result *r);
	/* omg audit verify: the result, one page of findings at a time (FIRST_PAGE: M's head is
	 * new; LAST_PAGE: no findings follow) */
	void (*verify)(struct omg_sink *s, const struct omg_verify *m, int first_page, int last_page);
	/* A command failed with exit status CODE: JSON says so on standard output too (the text
	 * sink prints nothing: the message is on standard error already). */
	void (*error)(struct omg_sink *s, int code, const char *message);
	/* omg doctor: N checks, and the exit status they make */
	void (*doctor)(struct omg_sink *s, const struct omg_check *c, size_t n, int code);
};

struct omg_sink {
	const struct omg_sink_ops *ops;
	FILE *out;
	FILE *err;                 /* for the lines about the output ("N more"), not of it */
	int color;
	int width;                 /* text: the terminal's columns (COLUMNS overrides) when standard
				    * output is one; 0: no limit (a pipe, a file) */
	int hold;                  /* JSON: keep the rows document until aur() completes it */
	void *held;
};

extern const struct omg_sink_ops omg_sink_text;
extern const struct omg_sink_ops omg_sink_json;

struct omg_env {
	FILE *out, *err;
	struct omg_client *client; /* a kept connection (shell modules), or NULL: one per run */
	const char *prog;          /* for messages: "omg" */
	/* Shell front ends: fill the shell array NAME with WORDS (omg complete -A NAME).
	 * NULL in the executable, where -A is a usage error. Returns 0 on success. */
	int (*fill_array)(const char *name, const struct omg_words *words);
	/* Shell front ends: the module's own line for omg doctor, "bash module loaded: ..." or
	 * "zsh module loaded: ..." (what was built for and what runs); NULL in the executable. */
	const char *module;
};

int omg_run(int argc, char **argv, struct omg_env *env);

/* ---- shared by the cmd_*.c files ------------------------------------------------------ */
struct omg_opts {
	int json;
	int limit;         /* -1: not given */
	unsigned flags;    /* OMG_SEARCH_* */
	int timeout_ms;
	const char *array;  /* -A NAME: complete into a shell array */
	const char *since;  /* --since TIME */
	int verify;         /* --verify */
	int no_aur;         /* --no-aur */
	int names_only;     /* --names-only (search: not the descriptions); the last of it and -d wins */
	const char *shell;  /* --shell NAME: not-found runs as NAME's command-not-found handler */
	int help;           /* -h, --help: the command's help (or omg's) */
	int version;        /* -V, --version */
	int all;            /* -a, --all-versions (show) */
	int dry_run;        /* --dry-run, -s: the plan only */
	int yes;            /* -y, --yes: no confirmation */
	int lock_timeout;   /* --lock-timeout S; -1: not given */
	int allow_essential; /* --allow-remove-essential */
	int full;           /* --full (upgrade: full-upgrade; audit verify: rehash every file) */
	int last;           /* --last (audit verify: the last result, nothing run) */
	unsigned skip;      /* --no-archive, --no-files (audit verify): OMG_VERIFY_NO_* */
	int prometheus;     /* --prometheus (metrics): the text exposition format */
	int nargs;
	char **args;       /* positional arguments */
};

struct omg_ctx {
	struct omg_env *env;
	struct omg_opts opts;
	struct omg_sink sink;
	struct omg_client *client;
	int timeout_ms;            /* this command's deadline per call: --timeout, else the client's */
};

typedef int (*omg_cmd_fn)(struct omg_ctx *ctx);

int omg_cmd_status(struct omg_ctx *ctx);
int omg_cmd_search(struct omg_ctx *ctx);
int omg_cmd_list(struct omg_ctx *ctx);
int omg_cmd_info(struct omg_ctx *ctx);
int omg_cmd_complete(struct omg_ctx *ctx);
int omg_cmd_files(struct omg_ctx *ctx);
int omg_cmd_changelog(struct omg_ctx *ctx);
int omg_cmd_show(struct omg_ctx *ctx);
int omg_cmd_policy(struct omg_ctx *ctx);
int omg_cmd_depends(struct omg_ctx *ctx);
int omg_cmd_rdepends(struct omg_ctx *ctx);
int omg_cmd_why(struct omg_ctx *ctx);
int omg_cmd_size(struct omg_ctx *ctx);
/* apt's SizeToStr (powers of 1000, "%.1f" under 100) followed by "B": "53.2 kB", "13.3 MB". */
void omg_size_str(double bytes, char *out, size_t n);
/* Fills V->fields from its version's record as apt show rewrites it; 0 or -1 (no memory). */
int omg_show_fields(struct omg_shown *v);
void omg_shown_free(struct omg_shown *v);
int omg_cmd_ping(struct omg_ctx *ctx);
int omg_cmd_metrics(struct omg_ctx *ctx);
int omg_cmd_daemon(struct omg_ctx *ctx);
int omg_cmd_hook(struct omg_ctx *ctx);
int omg_cmd_not_found(struct omg_ctx *ctx);
int omg_cmd_audit(struct omg_ctx *ctx);
int omg_cmd_verify(struct omg_ctx *ctx);  /* omg audit verify (cmd_verify.c) */
int omg_cmd_history(struct omg_ctx *ctx);
int omg_cmd_owns(struct omg_ctx *ctx);
int omg_cmd_doctor(struct omg_ctx *ctx);
/* omg owns's argument as the path to ask omgd about into OUT: a word without a slash is a
 * command, found through $PATH as `type -P` does; a relative path is made absolute from the
 * current directory; "." and ".." parts and repeated slashes are taken out (no symbolic link
 * is followed: dpkg records links as links). 0, or -1 (not found in PATH, too long). */
int omg_owns_path(const char *arg, const char *path_env, char *out, size_t n);
int omg_cmd_install(struct omg_ctx *ctx);
int omg_cmd_remove(struct omg_ctx *ctx);
int omg_cmd_purge(struct omg_ctx *ctx);
int omg_cmd_reinstall(struct omg_ctx *ctx);
int omg_cmd_upgrade(struct omg_ctx *ctx);
int omg_cmd_full_upgrade(struct omg_ctx *ctx);
int omg_cmd_autoremove(struct omg_ctx *ctx);
int omg_cmd_update(struct omg_ctx *ctx);
int omg_cmd_hold(struct omg_ctx *ctx);
int omg_cmd_unhold(struct omg_ctx *ctx);
int omg_cmd_mark(struct omg_ctx *ctx);

/* Asks omgd's AUR part (AUR_SEARCH or AUR_INFO) with OMG_AUR_WAIT_MS as the deadline;
 * a failure is reported in M (status OMG_AUR_MISSING), not printed. *RAW keeps the answer's
 * bytes (free it after M). */
#define OMG_AUR_WAIT_MS 3500
/* The deadline of omg history (omgd reads the logs that changed since it last did). */
#define OMG_HISTORY_WAIT_MS 5000
/* The deadline of omg owns (omgd's first after a change builds its index of every file). */
#define OMG_OWNS_WAIT_MS 5000
/* The deadline of omg audit log --verify (it hashes the whole chain), unless --timeout. */
#define OMG_VERIFY_WAIT_MS 10000
int omg_aur_ask(struct omg_ctx *ctx, uint8_t type, const char *text, uint32_t limit, struct omg_aur_msg *m,
		void **raw);

/* One line of an installed-set change record ("upgrade NAME:ARCH OLD NEW"): the words point
 * into BUF, a copy of the line. Returns 0, or -1 when the line does not have that shape. */
struct omg_change {
	char buf[1024];
	const char *action, *name, *arch, *from, *to; /* from: "" for install; to: "" for remove */
};
int omg_change_parse(const char *line, size_t len, struct omg_change *c);
/* Parses --since: @UNIX, YYYY-MM-DD[ HH:MM[:SS]] (local time, also with T), Ns/Nm/Nh/Nd/Nw
 * ago, today, yesterday. Returns 0 and *OUT (unix seconds) or -1. */
int omg_parse_since(const char *s, uint64_t now, uint64_t *out);
/* omg_run's option parsing (tests/unit/test_cmd.c): fills ctx->opts (ctx->opts.args is
 * malloc'd) and *CMD from ARGV; OMG_EXIT_OK, or OMG_EXIT_USAGE after one line on stderr. */
int omg_parse_opts(struct omg_ctx *ctx, int argc, char **argv, const char **cmd);
/* "refresh", "change", ... for an audit record kind. */
const char *omg_audit_kind_name(uint8_t kind);
/* Calls FN for each line of a change record's text. */
void omg_change_each(const char *what, void (*fn)(const struct omg_change *c, void *ctx), void *ctx);

/* Sends the request in ctx->client's buffer within ctx->timeout_ms; on failure prints one
 * line and returns the exit code, on success returns OMG_EXIT_OK with the answer in *A. */
int omg_cmd_call(struct omg_ctx *ctx, struct omg_answer *a);
/* The same within TIMEOUT_MS, unless --timeout was given (a longer wait a command needs). */
int omg_cmd_call_within(struct omg_ctx *ctx, struct omg_answer *a, int timeout_ms);
/* ctx's deadline for a call that may take up to AT_LEAST ms: --timeout if given, else the
 * longer of AT_LEAST and the client's default. */
int omg_cmd_wait_ms(const struct omg_ctx *ctx, int at_least);
/* What omg_cmd_call does with a client status RC: the exit code, and one line when it fails. */
int omg_cmd_report(struct omg_ctx *ctx, int rc);
/* Prints "PROG: message" on the error stream and returns CODE. */
int omg_cmd_fail(struct omg_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Its value is CODE, visibly for the analyzers (as OMG_ERROR's): CODE is evaluated twice. */
#define omg_cmd_fail(ctx, code, ...) omg_error_code((code), omg_cmd_fail((ctx), (code), __VA_ARGS__))
int omg_check_name(struct omg_ctx *ctx, const char *what, const char *s, int allow_empty);
/* A package as apt and dpkg name it into OUT: NAME, or NAME:ARCH when FLAGS has
 * OMG_PKG_FOREIGN (an architecture other than the native one). */
void omg_pkg_name(char *out, size_t n, const char *name, const char *arch, uint32_t flags);

#endif
