/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network's port forwards ("[forward NAME]" sections, 'kvmnet forward add'): a host port or
 * range of ports (tcp or udp, on every host address or on one) DNATed to a guest address and a
 * port range of the same size. Validated here on their own and against the network (guest address
 * inside the subnet, not its network, gateway or broadcast address; no overlap between the
 * network's own forwards). Clashes with other networks and with the host's listening sockets are
 * the daemon's to check.
 */
#ifndef KN_CONFIG_CONF_FORWARD_H
#define KN_CONFIG_CONF_FORWARD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/in-addr-util.h"

struct network_config;
struct strbuf;

#define NETWORK_FORWARDS_MAX 1024
/* Most ports one forward covers: each becomes one nftables map element. */
#define FORWARD_RANGE_MAX 256
#define FORWARD_NAME_MAX 63

enum forward_proto {
	FORWARD_PROTO_TCP,
	FORWARD_PROTO_UDP,
	_FORWARD_PROTO_MAX,
	_FORWARD_PROTO_INVALID = -EINVAL,
};

struct network_forward {
	char name[FORWARD_NAME_MAX + 1]; /* [a-z0-9][a-z0-9_.-]* */
	enum forward_proto proto;
	uint16_t host_port_first;        /* host ports, inclusive; 0 = not set */
	uint16_t host_port_last;
	bool has_host_address;
	struct in_addr host_address;     /* only packets to this address; else any local address */
	bool has_to;
	struct in_addr to_addr;          /* the guest's address */
	uint16_t to_port_first;          /* guest ports: as many as host ports */
	uint16_t to_port_last;
	bool has_proto;
};

struct network_forwards {
	struct network_forward *items;   /* owned, in the order given */
	size_t n;
};

const char *forward_proto_to_string(enum forward_proto p);
/* "tcp" or "udp" (lowercase); else _FORWARD_PROTO_INVALID. */
enum forward_proto forward_proto_from_string(const char *s);

/* Zeroes 'f': no key set. */
void network_forward_init(struct network_forward *f);

/* True if 'name' matches [a-z0-9][a-z0-9_.-]{0,62}. */
bool network_forward_name_is_valid(const char *name);

/*
 * Sets one key of a forward from its [forward] section or the CLI: "proto" (tcp|udp),
 * "host-port" (PORT or FIRST-LAST, 1..65535), "to" (GUESTIP:PORT or GUESTIP:FIRST-LAST),
 * "host-address" (a unicast IPv4 address). On failure returns -EINVAL with a one-line reason in
 * 'reterr' (may be NULL/0), 'f' unchanged; an unknown key is -ENOENT ("unknown key 'x' in
 * [forward]").
 */
int network_forward_set(struct network_forward *f, const char *key, const char *value,
			char *reterr, size_t errlen);

/*
 * Checks 'f' as a whole and against network 'c': proto, host-port and to given, the two ranges
 * of the same size and at most FORWARD_RANGE_MAX ports, a guest port range of one port when to
 * has no range is stretched to the host range's size, the guest address a guest address of c's
 * subnet (not the network, gateway or broadcast address). Fills 'to_port_last'. Returns 0 or
 * -EINVAL with a reason in 'reterr'.
 */
int network_forward_finish(struct network_forward *f, const struct network_config *c,
			   char *reterr, size_t errlen);

/* Writes the name 'kvmnet forward add' gives: "tcp-8080", "udp-5000-5010", "tcp-8080-192.0.2.1". */
void network_forward_default_name(const struct network_forward *f, char buf[FORWARD_NAME_MAX + 1]);

/*
 * True if 'a' and 'b' would claim a same packet: same proto, host port ranges that intersect,
 * and host addresses that are equal or of which one is "any".
 */
bool network_forward_overlaps(const struct network_forward *a, const struct network_forward *b);

/*
 * Adds finished 'f' (copied): -EEXIST with a reason if its name is taken ("forward web already
 * exists") or it overlaps another forward of the set ("tcp host port 8080 is already forwarded
 * by web"), -E2BIG beyond NETWORK_FORWARDS_MAX, -ENOMEM. O(n).
 */
int network_forwards_add(struct network_forwards *fs, const struct network_forward *f,
			 char *reterr, size_t errlen);

/* Removes the forward named 'name'; -ENOENT if there is none. */
int network_forwards_remove(struct network_forwards *fs, const char *name);

/* Borrowed pointer or NULL ('fs' may be NULL). */
const struct network_forward *network_forwards_find(const struct network_forwards *fs,
						     const char *name);

/*
 * The forward whose first host port is 'port' for 'proto' and whose host address is 'addr'
 * (NULL: any). Borrowed pointer or NULL.
 */
const struct network_forward *network_forwards_find_port(const struct network_forwards *fs,
							  enum forward_proto proto, uint16_t port,
							  const struct in_addr *addr);

/* Re-checks every forward against 'c' (after the subnet changed). 0 or -EINVAL with a reason. */
int network_forwards_check(const struct network_forwards *fs, const struct network_config *c,
			   char *reterr, size_t errlen);

/* Appends "\n[forward NAME]\nproto = ...\n..." for every forward, in order. 0 or -ENOMEM. */
int network_forwards_format(const struct network_forwards *fs, struct strbuf *sb);

/* Deep copy into 'dst' (overwritten). 0 or -ENOMEM. */
int network_forwards_copy(struct network_forwards *dst, const struct network_forwards *src);

bool network_forwards_equal(const struct network_forwards *a, const struct network_forwards *b);

/* Frees the items and leaves 'fs' empty. */
void network_forwards_done(struct network_forwards *fs);

#endif
