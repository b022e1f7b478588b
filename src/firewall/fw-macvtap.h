/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-port policy for the macvtap ports of macvtap networks, in one nftables table 'netdev
 * kvmnet' (fw-port.h's bridge table never sees their frames: what a guest writes to /dev/tapN is
 * transmitted by the macvtap device itself). Each port has a base chain on the netdev egress hook
 * of its device (a netdev hook is bound to its device), whose two rules are the same for every
 * port but the set they name; everything else is set lookups in shared chains. Pure rendering of
 * nft scripts (golden-tested) plus the read-back of what the kernel holds.
 *
 *   set port_mac { type ifname . ether_addr; }        the MAC each port must use (its device's)
 *   set ipbind   { type ifname; }                     ports whose IPv4/ARP sources are bound
 *   set src4     { type ifname . ether_addr . ipv4_addr; }  the learned addresses a port may use
 *                                                     as source (comment "dhcp" or "arp": how)
 *   set learning { type ifname; }                     bound ports whose ARP may still announce a
 *                                                     new address (the guest has no DHCP address
 *                                                     and fewer than its maximum)
 *   set t_NETWORK { type ipv4_addr; }                 every address a port of NETWORK may use
 *   map drops    { type ifname : counter; }           per-port counter of frames dropped
 *   counter d_IFNAME
 *
 *   chain o_IFNAME (hook egress device IFNAME, priority 0, policy accept)
 *     jump port_out
 *     arp saddr ip @t_NETWORK goto deny               a learning port announcing an address
 *                                                     another port of its network uses
 *   chain port_out
 *     meta protocol ip oifname . ether saddr . ip saddr @src4 th sport != 67 accept   hot path
 *     udp sport 67 goto deny                          no DHCP server replies from guests
 *     oifname . ether saddr != @port_mac goto deny
 *     oifname @ipbind ether type != { arp, ip, ip6 } goto deny   no tags, no other protocols
 *     meta protocol vmap { arp : jump port_arp, ip : jump port_ip4, ip6 : jump port_ip6 }
 *   chain port_arp
 *     oifname . arp saddr ether != @port_mac goto deny
 *     oifname != @ipbind accept
 *     arp saddr ip 0.0.0.0 accept                     RFC 5227 probes
 *     oifname . ether saddr . arp saddr ip @src4 accept
 *     oifname != @learning goto deny
 *                                                     (returns to o_IFNAME: learning, and the
 *                                                     learner sees the frame once it passes)
 *   chain port_ip4
 *     ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept   DHCP before the guest has an address
 *     oifname @ipbind goto deny                       (a learned source took the hot path)
 *   chain port_ip6
 *     icmpv6 type nd-router-advert goto deny
 *     udp sport 547 goto deny
 *   chain deny
 *     counter name oifname map @drops
 *     drop
 *
 * The learner's AF_PACKET socket sees the device's outgoing frames after the egress hook: a
 * frame dropped here is never learned, hence 'learning' (on a bridge the learner sees a frame
 * before the bridge table drops it).
 *
 * Kernels before 6.16 delete a netdev base chain with its device; later ones keep it, unbound,
 * and bind it again to a device of that name. The removal script works either way.
 */
#ifndef KN_FIREWALL_FW_MACVTAP_H
#define KN_FIREWALL_FW_MACVTAP_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_ctx;

/* The table kvmnet owns in the netdev family. */
#define FW_MACVTAP_TABLE_NAME "kvmnet"
/* The longest network name (NETWORK_NAME_MAX of config/conf-network.h). */
#define FW_MACVTAP_NETWORK_MAX 32
/* Learned addresses of one port read back (the learner's ADDR_LEARN_PER_PORT_MAX). */
#define FW_MACVTAP_ADDRS_MAX 8

struct fw_macvtap_port {
	char ifname[IFNAMSIZ];
	char network[FW_MACVTAP_NETWORK_MAX + 1];  /* names its set t_NETWORK */
	uint8_t mac[6];       /* the only source MAC it may use */
	bool ip_binding;      /* IPv4 and ARP sources must be in 'src4' (port-security yes) */
};

/* One learned address a port may use, and how it was learned. */
struct fw_macvtap_addr {
	struct in_addr ip;
	bool dhcp;            /* from the LAN's DHCPACK; false: the guest's own ARP */
};

/*
 * Renders the script that creates the table, its shared sets, map and chains when missing, and
 * (re)sets the shared chains' rules in the same transaction: loading it again never loses set
 * elements or counters. Returns 0 or -ENOMEM; '*ret' is malloc'd.
 */
int fw_macvtap_render_base(char **ret);

/*
 * Renders the script that puts port 'p' under policy: its set t_NETWORK (kept when it exists),
 * its egress chain (made, or its rules reset), its counter d_IFNAME (kept when it exists) and map
 * element, its 'port_mac' element ('old_mac', may be NULL, is removed when it differs), its
 * 'ipbind' membership. Leaves 'src4' and 'learning' alone (fw_macvtap_render_addrs()). Needs the
 * base. Returns 0, -ENOMEM, or -EINVAL for an ifname kvmnet would not accept (ifname_is_valid())
 * or a network name that is not one (network_name_is_valid()).
 */
int fw_macvtap_render_add(const struct fw_macvtap_port *p, const uint8_t *old_mac, char **ret);

/* One change of a port's learned addresses (fw_macvtap_render_addrs()). */
struct fw_macvtap_change {
	const char *ifname;
	const char *network;
	uint8_t mac[6];
	const struct fw_macvtap_addr *add;     /* into 'src4' (replacing the same address) */
	size_t n_add;
	const struct fw_macvtap_addr *del;     /* out of 'src4' */
	size_t n_del;
	const struct in_addr *taken_add;       /* into t_NETWORK */
	size_t n_taken_add;
	const struct in_addr *taken_del;       /* out of t_NETWORK */
	size_t n_taken_del;
	bool learning;                         /* the port's membership in 'learning' */
};

/*
 * Renders the script that applies change 'c' (removals first; each succeeds whether or not the
 * element exists). Returns 0, -ENOMEM, -EINVAL (a name as in fw_macvtap_render_add()).
 */
int fw_macvtap_render_addrs(const struct fw_macvtap_change *c, char **ret);

/*
 * Renders the script that removes every trace of port 'ifname': its chain (whether it exists,
 * bound or not), counter, map element, 'ipbind' and 'learning' elements, its 'port_mac' element
 * for 'mac' (may be NULL) and its 'n_addrs' elements of 'src4' for that MAC. Returns 0, -ENOMEM,
 * -EINVAL.
 */
int fw_macvtap_render_remove(const char *ifname, const uint8_t *mac,
			     const struct fw_macvtap_addr *addrs, size_t n_addrs, char **ret);

/*
 * Renders the script that deletes set t_NETWORK (present or not); no chain may still name it.
 * Returns 0, -ENOMEM, -EINVAL.
 */
int fw_macvtap_render_network_remove(const char *network, char **ret);

/* Renders the script that deletes the whole table (and succeeds if it is absent). */
int fw_macvtap_render_reset(char **ret);

/* What the kernel holds for one port. */
struct fw_macvtap_state {
	char ifname[IFNAMSIZ];
	bool has_mac;
	uint8_t mac[6];
	bool ip_binding;
	bool learning;
	struct fw_macvtap_addr addrs[FW_MACVTAP_ADDRS_MAX];  /* its 'src4' elements (for 'mac') */
	size_t n_addrs;
	uint64_t dropped_packets;   /* its counter d_IFNAME */
	uint64_t dropped_bytes;
};

/* The table as read back: its ports (one per counter d_IFNAME) and its t_NETWORK sets. */
struct fw_macvtap_listing {
	struct fw_macvtap_state *ports;
	size_t n_ports;
	char (*networks)[FW_MACVTAP_NETWORK_MAX + 1];
	size_t n_networks;
};

/*
 * Reads table netdev kvmnet with one JSON listing (after one netlink request that tells whether
 * it exists) into '*ret' (free with fw_macvtap_listing_free(); empty when there is no table).
 * Returns 0, -EIO when nft cannot list it, -ENOMEM. Blocks for the netlink dumps.
 */
int fw_macvtap_list(struct fw_ctx *ctx, struct fw_macvtap_listing **ret);
/* The state of port 'ifname' in 'l', or NULL. */
const struct fw_macvtap_state *fw_macvtap_listing_find(const struct fw_macvtap_listing *l,
						       const char *ifname);
/* Frees 'l' (NULL is fine) and returns NULL. */
struct fw_macvtap_listing *fw_macvtap_listing_free(struct fw_macvtap_listing *l);

#endif
