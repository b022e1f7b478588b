/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A lab's definition (docs/LABS.md): networks, nodes on them and checks of what reaches what,
 * parsed from one INI file and validated as a whole before anything is created. A [network NAME]
 * section takes every key of a network definition, through the same setters (conf-network.h);
 * checks against the host's existing networks belong to the daemon (lab_config_find_overlap()).
 */
#ifndef KN_CONFIG_CONF_LAB_H
#define KN_CONFIG_CONF_LAB_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf-forward.h"
#include "config/conf-network.h"
#include "shared/in-addr-util.h"

#define LAB_NAME_MAX NETWORK_NAME_MAX   /* lab, node and check names: network_name_is_valid() */
#define LAB_NETWORKS_MAX 256
#define LAB_NODES_MAX 1024
#define LAB_CHECKS_MAX 4096
#define LAB_NODE_NICS_MAX 8
#define LAB_LISTEN_MAX 16               /* listen = PORT ... of one node */
#define LAB_FORWARDS_MAX 1024
#define LAB_PATH_MAX 4096               /* kernel, initrd, disk */
#define LAB_TEXT_MAX (4 * 1024 * 1024)  /* largest lab file lab_config_parse() accepts */
#define LAB_RATE_MIN_KBIT 8
#define LAB_RATE_MAX_KBIT (100 * 1000 * 1000) /* 100 Gbit/s */
#define LAB_LOSS_MAX 10000              /* hundredths of a percent: 100.00 % */
#define LAB_DELAY_MAX_USEC (60 * 1000 * 1000) /* 60 s, for delay and jitter */
#define LAB_MEMORY_MIN_MIB 32
#define LAB_MEMORY_MAX_MIB (1024 * 1024)
#define LAB_MEMORY_DEFAULT_MIB 256
#define LAB_CPUS_MAX 64

enum lab_node_kind {
	LAB_NODE_NETNS,                 /* a network namespace: instant, no guest OS */
	LAB_NODE_QEMU,                  /* a QEMU guest (the project's tiny guest by default) */
	_LAB_NODE_KIND_MAX,
	_LAB_NODE_KIND_INVALID = -EINVAL,
};

enum lab_expect {
	LAB_EXPECT_OPEN,                /* the port accepts a connection / the node answers ping */
	LAB_EXPECT_CLOSED,              /* refused, dropped or unreachable */
	_LAB_EXPECT_MAX,
	_LAB_EXPECT_INVALID = -EINVAL,
};

/* Impairments of one nic ("nic.NET.KEY = VALUE" in its node, or 'lab set'); 0 = none. */
struct lab_impair {
	uint32_t rate_kbit;             /* 0 or LAB_RATE_MIN_KBIT..LAB_RATE_MAX_KBIT */
	uint32_t loss;                  /* hundredths of a percent, 0..LAB_LOSS_MAX */
	uint32_t delay_usec;            /* 0..LAB_DELAY_MAX_USEC (needs netem at run time) */
	uint32_t jitter_usec;           /* 0..LAB_DELAY_MAX_USEC, only with a delay */
};

/* A node's nic: one per network the node is on, named by that network. */
struct lab_nic {
	char network[NETWORK_NAME_MAX + 1];
	bool has_ip;                    /* false = DHCP */
	struct in_addr ip;
	struct lab_impair impair;
};

struct lab_network {
	struct network_config config;   /* finished: network_config_finish() */
	int line;                       /* of the section header */
};

struct lab_node {
	char name[LAB_NAME_MAX + 1];
	enum lab_node_kind kind;        /* netns when not given */
	struct lab_nic nics[LAB_NODE_NICS_MAX];
	size_t n_nics;
	uint16_t listen[LAB_LISTEN_MAX]; /* TCP ports the node serves (listen = ...), for checks */
	size_t n_listen;
	/* kind = qemu only: the user's images (NULL = the project's tiny guest), memory, cpus. */
	char *kernel, *initrd, *disk;   /* owned; as written (relative to the lab file's folder) */
	uint32_t memory_mib;            /* LAB_MEMORY_DEFAULT_MIB when not given */
	uint32_t cpus;                  /* 1 when not given */
	int line;
};

struct lab_check {
	char name[LAB_NAME_MAX + 1];
	char from[LAB_NAME_MAX + 1];    /* a node */
	char to[LAB_NAME_MAX + 1];      /* a node */
	uint16_t port;                  /* TCP port; 0 = ping */
	enum lab_expect expect;
	int line;
};

/* A port forward of a lab network to one of its nodes ("[forward NAME]"). */
struct lab_forward {
	struct network_forward fwd;     /* finished: 'to_addr' is the node's address on 'network' */
	char network[NETWORK_NAME_MAX + 1];
	char node[LAB_NAME_MAX + 1];
	int line;
};

struct lab_config {
	char name[LAB_NAME_MAX + 1];
	struct lab_network *networks;   /* owned, in file order */
	size_t n_networks;
	struct lab_node *nodes;         /* owned, in file order */
	size_t n_nodes;
	struct lab_check *checks;       /* owned, in file order */
	size_t n_checks;
	struct lab_forward *forwards;   /* owned, in file order */
	size_t n_forwards;
};

const char *lab_node_kind_to_string(enum lab_node_kind k);
enum lab_node_kind lab_node_kind_from_string(const char *s);
const char *lab_expect_to_string(enum lab_expect e);
enum lab_expect lab_expect_from_string(const char *s);

/*
 * Writes the lab name a file's path gives by default into 'buf' (LAB_NAME_MAX + 1 bytes): its
 * base name without a ".lab" or ".conf" extension. The result may not be a valid name ("" or
 * too long): lab_config_parse() then refuses it unless the file sets [lab] name.
 */
const char *lab_name_from_path(const char *path, char *buf);

/*
 * Sets one impairment of 'imp' from its text: "rate" (a number with the unit kbit, mbit or gbit,
 * any case, e.g. "10mbit", from 8 kbit to 100 gbit; "0" or "none" removes the limit), "loss" (a
 * percentage with up to two decimals and an optional '%', 0..100), "delay" and "jitter" (a number
 * with the unit us, ms or s, up to 60 s; "0" or "none" removes it). Returns 0, -ENOENT for an
 * unknown key, or -EINVAL with a one-line reason in 'reterr' (may be NULL/0); 'imp' unchanged on
 * failure. Whether the kernel can apply delay or jitter is the daemon's to probe.
 */
int lab_impair_set(struct lab_impair *imp, const char *key, const char *value, char *reterr,
		   size_t errlen);

/*
 * Writes the impairment's value of 'key' ("rate", "loss", "delay", "jitter") as text that
 * lab_impair_set() takes back ("10mbit", "5%", "20ms", "none") into 'buf' ('size' bytes, 24 are
 * enough). Returns 'buf', or NULL for an unknown key.
 */
const char *lab_impair_to_string(const struct lab_impair *imp, const char *key, char *buf,
				 size_t size);

/*
 * Parses the lab file 'text' ('len' bytes, need not be NUL-terminated) into 'ret' (overwritten;
 * free with lab_config_done()). 'name' (may be NULL) is the lab's name unless [lab] sets
 * "name =". Sections: one optional [lab] (key "name"), [network NAME] (the keys of a network's
 * [network] section except "name"), [node NAME] (kind = netns|qemu, nics = NET[:IP] ... separated
 * by blanks or commas, listen = PORT ... (TCP ports it serves, at most LAB_LISTEN_MAX, each
 * once), nic.NET.rate|loss|delay|jitter, and for qemu nodes kernel, initrd, disk,
 * memory (MiB, or with the suffix M or G), cpus), [check NAME] (from = NODE, to = NODE[:PORT],
 * expect = open|closed, all three required), [forward NAME] (NAME as network_forward_name_is_valid();
 * network = NET, proto, host-port and host-address as in a network's [forward] section, and
 * to = NODE:PORT or NODE:FIRST-LAST; network, proto, host-port and to required).
 *
 * Validation, all before the caller creates anything: syntax, unknown sections and keys,
 * repeated keys or sections, invalid values (with the line: "line 7: ..."), then per network
 * network_config_finish(), subnets overlapping within the lab, names: each network, node and
 * check once; nodes on at least one network, each known and at most once, static addresses
 * inside the network's subnet, not its gateway, network or broadcast address, outside its DHCP
 * range when it runs DHCP, and not used twice; impairments only for the node's own nics, jitter
 * only with a delay, qemu keys only on qemu nodes; forwards to a node with a static address on
 * the forward's network (network_forward_finish() against it), no two forwards of a network
 * claiming the same packets; checks naming known, distinct nodes. Errors
 * found after reading name the section's line. Returns 0, -EINVAL with one line in 'reterr',
 * -E2BIG for a text over LAB_TEXT_MAX or more sections than the limits, or -ENOMEM; on failure
 * 'ret' is left empty.
 */
int lab_config_parse(const char *text, size_t len, const char *name, struct lab_config *ret,
		     char *reterr, size_t errlen);

/* Frees what 'c' owns and leaves it empty. Accepts NULL. */
void lab_config_done(struct lab_config *c);

/* Borrowed pointers, or NULL. */
const struct lab_network *lab_config_find_network(const struct lab_config *c, const char *name);
const struct lab_node *lab_config_find_node(const struct lab_config *c, const char *name);
/* The nic of 'node' on network 'network', or NULL. */
const struct lab_nic *lab_node_find_nic(const struct lab_node *node, const char *network);

/*
 * The first network of the lab whose subnet overlaps 'subnet' (another network of the host's),
 * or NULL. O(networks of the lab).
 */
const struct lab_network *lab_config_find_overlap(const struct lab_config *c,
						  const struct in_prefix *subnet);

#endif
