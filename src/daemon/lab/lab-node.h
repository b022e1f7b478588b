/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nodes of a running lab and the operations of each node kind (docs/LABS.md), as a table in
 * the style of iproute2's link_util: the lab engine (lab-engine.c) knows nothing of a kind but
 * its entry in lab_node_kinds[]. A kind makes the node, attaches its nics to the lab's networks
 * (the host end of each nic is an ordinary kvmnet port of the network's bridge), reports its
 * state and addresses, takes an existing node back after a daemon restart from the record it
 * wrote, and removes exactly what that record lists.
 *
 * The lab record (lab-state.c): STATE_DIR/labs/NAME.lab is the lab file as given to 'lab up',
 * STATE_DIR/labs/NAME.state a JSON object {"file": the file's name, "dir": its folder,
 * "networks": [names the lab created], "nodes": {NODE: the kind's record}} rewritten
 * atomically before each step that creates something, so that what exists is always listed.
 */
#ifndef KN_DAEMON_LAB_LAB_NODE_H
#define KN_DAEMON_LAB_LAB_NODE_H

#include <jansson.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf-lab.h"

struct event_source;
struct lab;
struct lab_dhcp_client;
struct lab_node_run;

enum lab_node_state {
	LAB_NODE_STARTING,      /* being made, or waiting for its DHCP leases / its guest */
	LAB_NODE_UP,            /* every nic has its address */
	LAB_NODE_FAILED,        /* could not be made; 'error' says why */
	LAB_NODE_GONE,          /* found missing after a restart (namespace or VM gone) */
	_LAB_NODE_STATE_MAX,
};

const char *lab_node_state_to_string(enum lab_node_state s);

/* One nic of a running node: the host end is a port of the network's bridge. */
struct lab_nic_run {
	struct lab_node_run *node;      /* borrowed back pointer */
	const struct lab_nic *conf;     /* borrowed from the lab's config */
	char host_ifname[IFNAMSIZ];     /* the port on the bridge ("klXXXXXXXXnN") */
	char ifname[IFNAMSIZ];          /* inside the node: eth0, eth1, ... in 'nics' order */
	int ifindex;                    /* of 'ifname' inside the node (netns), 0 if unknown */
	uint8_t mac[6];                 /* the node's MAC on this nic */
	bool has_addr;                  /* 'addr' is set (static, or leased) */
	struct in_addr addr;
	uint8_t prefixlen;
	struct lab_dhcp_client *dhcp;   /* DHCP nics of netns nodes, while running */
};

struct lab_probe;

/*
 * The end of a probe (called once, from the event loop, never from within ops->probe()): 'r' 0
 * and 'open' what was found, with 'detail' ("connected", "refused", ...), or 'r' a negative
 * errno when the probe could not be run, 'detail' saying why.
 */
typedef void (*lab_probe_done_fn)(struct lab_probe *p, int r, bool open, const char *detail);

/*
 * A check run inside a node by its kind (ops->probe), for kinds the daemon cannot make a
 * socket in (a guest): filled by lab-check.c; the kind's fields are its own while queued.
 */
struct lab_probe {
	struct in_addr target;
	uint16_t port;                  /* TCP port; 0 = an ICMP echo */
	uint32_t timeout_sec;           /* of the probe itself, inside the node */
	lab_probe_done_fn done;
	/* the kind's, from ops->probe() to 'done' or ops->probe_cancel() */
	struct lab_probe *next;
	uint32_t id;
	bool queued, sent;
	uint64_t deadline_usec;         /* monotonic, once sent */
	uint64_t resend_usec;           /* when to send the request again without an answer */
};

struct lab_node_ops;

struct lab_node_run {
	struct lab *lab;                /* borrowed back pointer */
	const struct lab_node *conf;    /* borrowed from the lab's config */
	const struct lab_node_ops *ops;
	enum lab_node_state state;
	char error[256];                /* why it failed ("" otherwise) */
	struct lab_nic_run nics[LAB_NODE_NICS_MAX];
	size_t n_nics;
	uint64_t started_usec, up_usec; /* when start was called / all addresses were there */
	/* kind netns */
	int ns_fd;                      /* the namespace, -1 when not open */
	char ns_name[72];               /* "kl-LAB-NODE" (lab_node_ns_name()) */
	void *kind_data;                /* what else a kind keeps (owned by the kind) */
};

/*
 * The operations of one node kind. Every function gets the node with 'conf', 'lab', 'n_nics'
 * and the nics' 'conf', 'host_ifname', 'ifname' and 'mac' filled in by the engine.
 */
struct lab_node_ops {
	enum lab_node_kind kind;
	/*
	 * Fills 'record' (a JSON object) with what start() will make (names: namespace, ports,
	 * taps), before anything is made; the engine saves it first, so that a daemon killed
	 * part-way leaves nothing the record does not list.
	 */
	int (*plan)(struct lab_node_run *n, json_t *record);
	/*
	 * Makes the node and its nics (host ends attached to the networks' bridges, static
	 * addresses set), adds to 'record' what plan() could not know (a PID), and
	 * starts what completes later (DHCP, a guest booting): the kind then calls
	 * lab_node_changed() when the node's state or addresses change. Returns 0 or a negative
	 * errno with one line in 'err'; what exists is then removed by stop() from 'record'.
	 */
	int (*start)(struct lab_node_run *n, json_t *record, char *err, size_t errlen);
	/* Removes everything 'record' lists (whatever of it still exists). Never fails. */
	void (*stop)(struct lab_node_run *n, json_t *record);
	/*
	 * After a daemon restart: takes the node listed in 'record' back (namespace by name, ports,
	 * DHCP clients; a guest by PID). Returns 0 (the node's state then says whether it was
	 * found: LAB_NODE_GONE when not) or a negative errno with one line in 'err'.
	 */
	int (*adopt)(struct lab_node_run *n, json_t *record, char *err, size_t errlen);
	/* Adds what the kind knows beyond the engine's fields to the node's JSON object 'o'. */
	int (*to_json)(const struct lab_node_run *n, json_t *o);
	/*
	 * A socket made inside the node, for checks from it (non-blocking, close-on-exec): the fd
	 * or a negative errno. NULL for a kind whose checks run through 'probe' instead (a guest).
	 */
	int (*socket)(struct lab_node_run *n, int domain, int type, int protocol);
	/*
	 * For a kind without 'socket': runs probe 'p' inside the node, answering through p->done
	 * (also when the node never answers: each probe has a deadline). Returns 0, or a negative
	 * errno with one line in 'err' when it cannot even be started (p->done is then not called).
	 */
	int (*probe)(struct lab_node_run *n, struct lab_probe *p, char *err, size_t errlen);
	/* Forgets a probe still queued (p->done is not called). */
	void (*probe_cancel)(struct lab_node_run *n, struct lab_probe *p);
	/* Frees 'kind_data' and event sources without touching the kernel (daemon exit). */
	void (*release)(struct lab_node_run *n);
};

/* The kinds this daemon runs, NULL for one it does not (e.g. qemu before it lands). */
const struct lab_node_ops *lab_node_ops_find(enum lab_node_kind kind);

extern const struct lab_node_ops lab_node_netns_ops;
extern const struct lab_node_ops lab_node_qemu_ops;   /* lab-node-qemu.c */

/* Called by a kind when a node's state or addresses changed (progress, next step of 'up'). */
void lab_node_changed(struct lab_node_run *n);

/*
 * The namespace of netns node NODE of lab LAB: "kl-LAB-NODE" into 'buf' (65 bytes or more), or,
 * when that is over 64 characters, "kl-" + 24 characters of each + "-" + 8 hex digits of a hash.
 */
void lab_node_ns_name(const char *lab, const char *node, char *buf, size_t size);
/* The host end of nic 'nic' of NODE: "kl" + 8 hex digits of a hash of LAB/NODE + "n" + nic. */
void lab_node_host_ifname(const char *lab, const char *node, size_t nic, char buf[IFNAMSIZ]);
/* The node's MAC on nic 'nic': 0a:HH:HH:HH:HH:NN (locally administered, from the same hash). */
void lab_node_mac(const char *lab, const char *node, size_t nic, uint8_t mac[6]);

#endif
