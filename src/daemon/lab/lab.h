/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One lab the engine runs (lab-engine.h): its state, nodes and checks, and its progress lines.
 * Data and the progress log only, so the engine's parts (lab-live.c: the live changes) use a
 * lab without depending on the engine, which calls them.
 */
#ifndef KN_DAEMON_LAB_LAB_H
#define KN_DAEMON_LAB_LAB_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf-lab.h"
#include "daemon/lab/lab-node.h"

struct event_source;
struct lab_engine;
struct manager;

/* Progress lines kept per lab. */
#define LAB_EVENTS_MAX 8192

enum lab_state {
	LAB_STARTING,   /* nodes being made, waiting for addresses */
	LAB_CHECKING,   /* checks running */
	LAB_UP,         /* up, checks done (some may have failed) */
	LAB_FAILED,     /* 'up' failed part-way and was undone; 'error' says why */
	_LAB_STATE_MAX,
};

const char *lab_state_to_string(enum lab_state s);

/* The result of one check. */
enum lab_check_result {
	LAB_CHECK_PENDING,
	LAB_CHECK_PASSED,
	LAB_CHECK_FAILED,
	_LAB_CHECK_RESULT_MAX,
};

struct lab_check_run {
	struct lab *lab;                /* borrowed */
	const struct lab_check *conf;   /* borrowed from the lab's config */
	enum lab_check_result result;
	char observed[16];              /* "open", "closed", or "" when not run */
	char detail[160];               /* "connected", "refused", "timeout", "reply", ... */
	char via[80];                   /* how it was run: "from web (netns) to 10.70.2.20" */
	int fd;
	struct event_source *io, *timer, *resend; /* resend: the next ICMP echo */
	uint16_t echo_id, echo_seq;     /* echo_seq: the last one sent (1..CHECK_ECHOES) */
	struct in_addr target;
	uint64_t started_usec;
	struct lab_probe probe;         /* a check from a node run by its kind (a qemu guest) */
};

struct lab {
	struct lab_engine *engine;      /* borrowed back pointer */
	struct manager *m;
	char name[LAB_NAME_MAX + 1];
	char *text;                     /* the lab file as given */
	size_t len;
	char *file, *dir;               /* its base name and folder, as the caller gave them */
	struct lab_config config;
	enum lab_state state;
	char error[512];
	struct lab_node_run *nodes;     /* config.n_nodes of them */
	struct lab_check_run *checks;   /* config.n_checks of them */
	size_t checks_pending;
	json_t *record;                 /* what NAME.state holds */
	char **events;                  /* progress lines */
	size_t n_events;
	struct event_source *timeout;   /* for the nodes to come up */
	struct event_source *step;      /* deferred: next step after a node changed */
	uint64_t started_usec, nodes_usec, up_usec;
	bool adopted;                   /* taken back after a daemon restart */
};

/* Appends a progress line (also logged). */
void lab_event(struct lab *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
