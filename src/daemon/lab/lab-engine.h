/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The labs the daemon runs (docs/LABS.md): 'lab up' validates a lab file, records it under
 * STATE_DIR/labs (lab-state.c), creates its networks (lab-net.c), starts its nodes through their
 * kind's operations (lab-node.h) and, once every node has its addresses, runs its checks
 * (lab-check.c). Everything after the networks completes on the event loop; the caller follows
 * it with lab_engine_status_json() (its progress lines, numbered). 'lab down' removes exactly
 * what the record lists. A restarted daemon takes its labs back from the records.
 */
#ifndef KN_DAEMON_LAB_LAB_ENGINE_H
#define KN_DAEMON_LAB_LAB_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf-lab.h"
#include "daemon/lab/lab-node.h"
#include "daemon/lab/lab.h"

struct event_source;
struct lab_check_run;
struct manager;

/* Hard limit on labs at once (STYLE: bounded collections). */
#define LAB_ENGINE_LABS_MAX 256
/* How long the nodes of a lab may take to come up (DHCP leases, guests booting). */
#define LAB_NODES_TIMEOUT_USEC (120ULL * 1000000ULL)

/* A host port of a lab's node, in the engine's index (sorted by name). */
struct lab_port_ref {
	char name[IFNAMSIZ];
	struct lab *lab;                /* borrowed */
	const char *node;               /* borrowed: the node's name */
};

struct lab_engine {
	struct manager *m;
	const char *netns_dir;          /* where netns nodes' namespaces are bound (borrowed) */
	const char *guest_dir;          /* the tiny guest of qemu nodes (borrowed; kvmnetd
					 * --guest-dir, default KVMNET_GUEST_DIR) */
	struct lab **labs;              /* owned */
	size_t n_labs;
	struct lab_port_ref *ports;     /* every lab's host ports, sorted by name */
	size_t n_ports;
};

/*
 * 'netns_dir' (borrowed, outlives the engine): NL_NETNS_DIR unless kvmnetd --netns-dir. The
 * engine sits above the manager (main.c makes it after manager_new() and frees it before
 * manager_free()); it registers the manager's port_lab hook (manager-core.h), which looks it
 * up in m->labs: 'ret' is &m->labs.
 */
int lab_engine_new(struct manager *m, const char *netns_dir, struct lab_engine **ret);
/* Forgets the labs without touching the kernel (daemon exit: they are taken back at start). */
struct lab_engine *lab_engine_free(struct lab_engine *e);

/* At start-up, after the networks: takes back every lab listed under STATE_DIR/labs. */
int lab_engine_startup(struct lab_engine *e);

/*
 * 'lab up': 'text' ('len' bytes) of the file named 'file' (base name, may be NULL) in folder
 * 'dir' (may be NULL). Validates it (lab_plan_validate()), records it, creates its networks and
 * starts its nodes; the rest goes on from the loop. A lab already up from the same text is left
 * as it is ('*ret_noop' true). Returns 0 and the lab in '*ret', or a negative errno with one line
 * in 'err' and nothing left of the lab.
 */
int lab_engine_up(struct lab_engine *e, const char *text, size_t len, const char *file,
		  const char *dir, struct lab **ret, bool *ret_noop, char *err, size_t errlen);

/* 'lab down': removes what the lab's record lists, and the record. */
int lab_engine_down(struct lab_engine *e, struct lab *l, char *err, size_t errlen);

/* The lab named 'name', or NULL. */
struct lab *lab_engine_find(struct lab_engine *e, const char *name);

/*
 * The lab whose node has host port 'name' (the port service shows such ports with origin
 * "lab" and leaves their removal to 'lab down'), or NULL. O(log ports). Accepts a NULL 'e'.
 */
const struct lab *lab_engine_port_owner(const struct lab_engine *e, const char *name);
/* The name of the node of host port 'name' (borrowed), or NULL. */
const char *lab_engine_port_node(const struct lab_engine *e, const char *name);

/*
 * The lab's state: {"name", "state", "error", "file", "nodes": [{"name", "kind", "state",
 * "error", "namespace", "nics": [{"network", "ifname", "port", "mac", "address", "dhcp"}]}],
 * "networks": [names], "checks": [{"name", "from", "to", "port", "expect", "result",
 * "observed", "detail", "via"}], "checks-failed", "events": [lines from index 'since'],
 * "next-event", "figures": {"nodes-ms", "up-ms"}}. NULL on -ENOMEM.
 */
json_t *lab_engine_status_json(const struct lab *l, size_t since);

/* ---- lab-check.c ---- */

/* Starts every check of 'l' (all at once); lab_engine_checks_done() when the last one ends. */
void lab_checks_start(struct lab *l);
/* Stops running checks (no result) and frees their sockets. */
void lab_checks_stop(struct lab *l);
void lab_engine_checks_done(struct lab *l);
const char *lab_check_result_to_string(enum lab_check_result r);

#endif
