/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the port service share (not an interface for the rest of the daemon, which
 * uses port-service.h): the port and binding records and the calls between the four parts.
 *   port-service.c  port registry and life cycle (make, adopt, forget), the monitor, start-up
 *   port-bindings.c the installed (MAC, IPv4) pairs and their flush to nftables
 *   port-policy.c   the per-port policy and rate in the bridge table
 *   port-json.c     the 'port list' rendering
 *   port-macvtap.c  the macvtap devices of macvtap networks and their /dev/tapN nodes
 *   port-macvtap-policy.c  their policy, in table netdev kvmnet (fw-macvtap.h)
 */
#ifndef KN_DAEMON_PORT_SERVICE_INTERNAL_H
#define KN_DAEMON_PORT_SERVICE_INTERNAL_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "firewall/fw-macvtap.h"

struct addr_learn;
struct event_source;
struct fw_port_state;
struct manager;
struct network;

#define PORT_TEMPLATE_DEFINED "knt%d"
#define PORT_TEMPLATE_HELPER "knv%d"

enum port_origin {
	PORT_ORIGIN_DEFINED,    /* 'port add': a persistent tap in the network's definition */
	PORT_ORIGIN_HELPER,     /* made for QEMU's bridge helper: lives as long as QEMU's fd */
	PORT_ORIGIN_ADOPTED,    /* made by someone else (libvirt, by hand), found on the bridge */
};

struct port {
	char name[IFNAMSIZ];
	int ifindex;
	struct network *network;   /* borrowed */
	enum port_origin origin;
	bool policy;               /* its elements are in the bridge table */
	bool has_mac;              /* bound to 'mac' (a defined port with --mac) */
	uint8_t mac[6];
	uint32_t rate_mbit;
	struct addr_learn *learn;  /* owned; the guest's learned addresses (bridge, macvtap) */
	bool macvtap;              /* a macvtap device over the network's uplink (port-macvtap.c) */
	char dev_path[24];         /* its character device, "/dev/tapN"; "" before it is known */
	dev_t devt;
	/* a macvtap port's policy (port-macvtap-policy.c): what table netdev kvmnet holds of it */
	bool mv_policy;            /* its chain and elements are installed */
	bool mv_dirty;             /* its learned addresses changed since the last flush */
	bool mv_learning;          /* in 'learning' */
	struct fw_macvtap_addr mv_addrs[FW_MACVTAP_ADDRS_MAX];   /* in 'src4' */
	size_t mv_n_addrs;
};

struct binding_key {
	uint8_t mac[6];
	struct in_addr ip;
};

/* One slot of the installed-pairs hash. */
struct binding_slot {
	struct binding_key key;
	uint8_t state;             /* SLOT_* */
};

enum { SLOT_EMPTY, SLOT_USED, SLOT_DELETED };

struct port_service {
	struct manager *m;
	struct port **ports;
	size_t n_ports;
	bool base_installed;
	bool base_isolate;            /* the base was rendered with the 'isolate' chain */
	/* What the bridge table holds, read once for a batch of port operations (snap_begin) */
	struct fw_port_state *snap;
	size_t n_snap, cap_snap;
	bool snap_valid;
	struct binding_slot *slots;   /* installed pairs; power-of-two size */
	size_t n_slots, n_live, n_used;
	struct binding_key *dirty;    /* pairs to re-examine at the next flush */
	size_t n_dirty, cap_dirty;
	struct event_source *flush_source;
	bool mv_base_installed;       /* table netdev kvmnet's shared chains are loaded */
	size_t mv_n_dirty;            /* macvtap ports with 'mv_dirty' */
	/* why the macvtap policy could not be installed ("" when it could or was not tried) */
	char mv_error[256];
};


/* ---- port-bindings.c ---- */

/* Records pair 'k' as installed. */
int bindings_insert(struct port_service *ps, const struct binding_key *k);
/* Queues the pair for re-examination at the next flush. */
void bindings_mark(struct port_service *ps, const uint8_t mac[6], struct in_addr ip);
/* The deferred event that flushes the queued pairs. */
int port_service_on_flush(struct event_source *s, void *data);
/* Marks every pair network 'n' may want (its reservations and bound leases). */
void bindings_mark_network(struct port_service *ps, struct network *n);
/* Marks every installed pair inside the subnet of 'n' (it goes down or stops binding). */
void bindings_mark_installed(struct port_service *ps, const struct network *n);

/* ---- port-service.c ---- */

/*
 * Whether pair 'k' is a learned address a port allows (mode bridge, port-security yes): one its
 * guest got by DHCP, or, for a guest that never used DHCP there, one its ARP announced. Looks
 * only at the ports of learning networks.
 */
bool port_learned_wanted(struct port_service *ps, const struct binding_key *k);

/* ---- port-policy.c ---- */

/* Reads the bridge table once for a batch of port operations, and forgets it after. */
void port_snap_begin(struct port_service *ps);
void port_snap_end(struct port_service *ps);
/* Whether some network needs the forward-hook 'isolate' chain. */
bool port_isolate_wanted(struct port_service *ps);
/* Removes the policy of the port named 'name' from the bridge table. */
int port_policy_remove(struct port_service *ps, const char *name);
/* Installs (or, 'keep', leaves when already right) the policy of 'p'. */
int port_policy_apply(struct port_service *ps, struct port *p, bool keep, char *err,
		      size_t errlen);
/* Puts the rate limit of 'p' on its qdisc (or removes it). */
int port_rate_apply(struct port_service *ps, const struct port *p, char *err, size_t errlen);
/* The MTU a port of 'n' gets: the network's, else the bridge's current one. */
uint32_t port_mtu(struct port_service *ps, const struct network *n);

/* ---- port-macvtap.c ---- */

/*
 * Creates the macvtap device of defined port 'def' (its name and MAC, a random MAC when it has
 * none) over the uplink of macvtap network 'n' (n->ifindex), in the network's macvtap-mode, and
 * brings it up. On failure nothing is left and 'err' says why.
 */
int port_macvtap_create(struct port_service *ps, struct network *n, const struct network_port *def,
			int *ret_ifindex, char *err, size_t errlen);
/*
 * Makes sure /dev/tapN of macvtap port 'p' (name and ifindex set) exists and is its device, owned
 * by the port's owner (root when none), mode 0600; fills p->dev_path and p->devt.
 */
int port_macvtap_node(struct port *p, const struct network_port *def, char *err, size_t errlen);
/* Removes the node of 'p' if it is still there and still its device. */
void port_macvtap_node_remove(struct port *p);

/* ---- port-macvtap-policy.c ---- */

/*
 * Puts macvtap port 'p' under its network's policy (port-security yes or mac; nothing for no).
 * 'held' (may be NULL) is what the table already holds for its name (fw_macvtap_list(), a
 * restart): the addresses it allowed are given back to the port's learner. A failure (a kernel
 * or nft without the egress hook) is logged, kept in ps->mv_error, and leaves the port without
 * policy.
 */
void port_macvtap_policy_apply(struct port_service *ps, struct port *p,
			       const struct fw_macvtap_state *held);
/* The learned addresses of macvtap port 'p' changed: synced at the next flush. */
void port_macvtap_policy_mark(struct port_service *ps, struct port *p);
/* Syncs the addresses of every marked port with the table. */
void port_macvtap_policy_flush(struct port_service *ps);
/* Removes the policy of 'p' (and the table with the last port under any). */
void port_macvtap_policy_remove(struct port_service *ps, struct port *p);
/*
 * At start-up: removes what the table holds for ports and networks that have none under policy
 * (the whole table when no port is).
 */
void port_macvtap_policy_startup(struct port_service *ps);

#endif
