/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network's persistent ports ("[port IFNAME]" sections, 'kvmnet port add'): taps kvmnetd makes
 * and keeps across restarts, each optionally bound to a guest MAC, owned by a user, with queues
 * and a rate limit. Kept sorted by name; names and MACs are unique within a network. (Ports made
 * for QEMU's bridge helper and ports adopted from libvirt are not definitions: they live only as
 * long as their device.)
 */
#ifndef KN_CONFIG_CONF_PORT_H
#define KN_CONFIG_CONF_PORT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct network_config;

#define NETWORK_PORTS_MAX 4096
#define PORT_QUEUES_MAX 16              /* equals TAP_QUEUES_MAX */
#define PORT_RATE_MAX_MBIT 100000       /* 100 Gbit/s */

struct network_port {
	char name[IFNAMSIZ];    /* the tap's name, ifname_is_valid() */
	bool has_mac;
	uint8_t mac[6];         /* the guest's MAC the port is bound to (unicast) */
	bool has_owner;
	uint32_t owner;         /* uid allowed to open the tap */
	uint32_t queues;        /* 1..PORT_QUEUES_MAX (1 when not given) */
	uint32_t rate_mbit;     /* 0 = no limit; else 1..PORT_RATE_MAX_MBIT */
};

struct network_ports {
	struct network_port *items;   /* owned, sorted by name */
	size_t n;
};

/* Sets defaults: no MAC, no owner, 1 queue, no rate limit; the name is left empty. */
void network_port_init(struct network_port *p);

/*
 * Sets one key of a port from the CLI or its [port] section: "mac" (unicast and not all zero, as
 * mac_from_string()), "owner" (a decimal uid < 4294967295), "queues" (1..PORT_QUEUES_MAX),
 * "rate" (whole Mbit/s, 0..PORT_RATE_MAX_MBIT; 0 = none). Numbers are digits only (leading
 * zeros allowed); an empty value is refused ("invalid rate '': empty value"). On failure returns
 * -EINVAL with a one-line reason in 'reterr' (may be NULL/0) ("invalid rate '5x': must be a whole
 * number of Mbit/s from 0 to 100000"), 'p' unchanged; an unknown key is -ENOENT ("unknown key
 * 'foo' in [port]").
 */
int network_port_set(struct network_port *p, const char *key, const char *value, char *reterr,
		     size_t errlen);

/*
 * Adds 'port' (copied) after validating it against network 'c' and the other ports: a valid
 * interface name that is neither the network's bridge nor its uplink, and for ports built in
 * code the ranges network_port_set() enforces (-EINVAL, e.g. "port name 'kn-lab' is taken by
 * the network's bridge"), name or MAC already used by another port (-EEXIST "port tap1 already
 * exists" / "MAC 52:.. is already bound to port tap1"), over NETWORK_PORTS_MAX (-E2BIG). One-line
 * reason in 'reterr'. The copy holds zeros where the port has no MAC or no owner. Returns 0 or
 * one of those, or -ENOMEM. O(n).
 */
int network_ports_add(struct network_ports *ps, const struct network_port *port,
		      const struct network_config *c, char *reterr, size_t errlen);

/* Removes the port named 'name'; -ENOENT if there is none. */
int network_ports_remove(struct network_ports *ps, const char *name);

/* Borrowed pointers, or NULL ('ps' may be NULL); ports without a MAC are never found by MAC. */
const struct network_port *network_ports_find(const struct network_ports *ps, const char *name);
const struct network_port *network_ports_find_mac(const struct network_ports *ps,
						   const uint8_t mac[6]);

/*
 * Re-validates every port on its own and against 'c' (after the bridge or uplink changed), as
 * network_ports_add() does. Returns 0 or -EINVAL with the first port's reason in 'reterr'.
 */
int network_ports_check(const struct network_ports *ps, const struct network_config *c,
			char *reterr, size_t errlen);

/* Deep copy into 'dst' (overwritten, not freed). Returns 0 or -ENOMEM. */
int network_ports_copy(struct network_ports *dst, const struct network_ports *src);
/* True if both hold the same ports (NULL counts as empty). */
bool network_ports_equal(const struct network_ports *a, const struct network_ports *b);
/* Frees the ports and leaves 'ps' empty. Accepts NULL. */
void network_ports_done(struct network_ports *ps);

#endif
