/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-port policy for guest ports on kvmnet bridges, in one nftables table 'bridge kvmnet'
 * (separate from 'inet kvmnet', which filters routed traffic). Pure rendering of nft scripts
 * (golden-tested) plus the read-back of what the kernel holds (fw_port_list()).
 *
 * Per-packet cost does not depend on the number of ports: every decision is a set lookup.
 *
 *   set ports     { type ifname; }                    ports under policy
 *   set port_mac  { type ifname . ether_addr; flags dynamic; }  the MAC each port must use
 *   set learn     { type ifname; flags dynamic; }     ports whose MAC is taken from their first
 *                                                     frame (then removed from 'learn')
 *   set ipbind    { type ifname; }                    ports whose IPv4/ARP sources are bound
 *   set mac_ip    { type ether_addr . ipv4_addr; }    leased or reserved (MAC, address) pairs
 *   set isolated  { type ifname; }                    ports of isolate-ports networks
 *   set fast4     { type iface_index . ether_addr . ipv4_addr; flags dynamic; }
 *                                                     datapath cache of IPv4 sources that passed
 *   map drops     { type ifname : counter; }          per-port counter of frames dropped
 *   counter d_IFNAME                                  one per port (under any policy)
 *   set limited   { type ifname; }                    ports whose guest's traffic is policed
 *   map limits    { type ifname : limit; }            ... by their limit object
 *   limit l_IFNAME { rate over R bytes/second burst B bytes }
 *   map dhcp_port { type ifname : mark; }             the mark of a port's DHCP requests from
 *                                                     0.0.0.0 (fw_port_dhcp_mark())
 *
 *   chain pre (hook prerouting, priority -300, policy accept)
 *     meta protocol ip iif . ether saddr . ip saddr @fast4 th sport != 67 accept
 *                                                     the hot path: one lookup, one compare
 *     udp sport 67 iifname @ports goto deny           no DHCP server replies from guests
 *     iifname @ports jump port_in
 *     iifname @limited limit name iifname map @limits drop   rate limit from the guest
 *   chain port_in
 *     iifname @learn add @port_mac { iifname . ether saddr } delete @learn { iifname }
 *     iifname . ether saddr != @port_mac goto deny
 *     iifname @ipbind ether type != { arp, ip, ip6 } goto deny   no tags, no other protocols
 *     meta protocol vmap { arp : jump port_arp, ip : jump port_ip4, ip6 : jump port_ip6 }
 *   chain port_arp
 *     iifname . arp saddr ether != @port_mac goto deny
 *     iifname @ipbind arp saddr ip != 0.0.0.0 ether saddr . arp saddr ip != @mac_ip goto deny
 *   chain port_ip4
 *     ip saddr 0.0.0.0 udp sport 68 udp dport 67 goto port_dhcp
 *     iifname @ipbind ether saddr . ip saddr != @mac_ip goto deny
 *     iifname != @limited add @fast4 { iif . ether saddr . ip saddr }
 *   chain port_dhcp                                   DHCP before the guest has an address
 *     meta mark set iifname map @dhcp_port            tells kvmnetd's DHCP server the port
 *     accept
 *   chain port_ip6
 *     icmpv6 type nd-router-advert goto deny          no router advertisements
 *     udp sport 547 goto deny                         no DHCPv6 server replies
 *   chain isolate (hook forward, priority -300, policy accept)
 *     iifname @isolated oifname @isolated goto deny   guest to guest on isolate-ports networks
 *   chain deny
 *     counter name iifname map @drops
 *     drop
 *
 * 'fast4' is only a cache: whenever a binding, a bound MAC or a port goes away, the scripts
 * below flush it, and the next packet of each flow takes the full path again. nft 1.0.6 sizes
 * the 'dynamic' sets at 65535 elements: a full 'fast4' only keeps new flows on the full path; a
 * full 'port_mac' leaves a learning port learning, dropping its frames.
 *
 * The DHCP server's socket sees the bridge, not the port a request came in on: the mark set in
 * 'port_dhcp' carries it (SO_RCVMARK), so the server can cap the client identities of one port.
 * nft 1.0.6 refuses 'meta mark set iif' (an ifindex is not a mark), hence one map element per
 * port. The mark is set only on requests from 0.0.0.0 (the ones that make new leases), off the hot
 * path; a port without an element gets no mark (its requests still pass: the lookup only ends
 * the rule that sets the mark).
 *
 * Counter names are bare identifiers (nft 1.0.6 refuses quoted object names); "d_" followed by
 * any name of [A-Za-z0-9_.-] lexes as one, so no encoding is needed.
 *
 * Known limit: a port still in 'learn' may learn its MAC between the fw_port_list() that gave
 * 'learnt_mac' (NULL) and the script that re-adds or removes it; that MAC then stays in
 * 'port_mac' (no nft 1.0.6 command deletes by the ifname half of a key) and is allowed again if a
 * port of that name comes back learning. The window is one listing-to-apply round trip of a port
 * that has not sent a frame yet.
 */
#ifndef KN_FIREWALL_FW_PORT_H
#define KN_FIREWALL_FW_PORT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fw_ctx;

/* The table kvmnet owns in the bridge family. */
#define FW_PORT_TABLE_NAME "kvmnet"

struct fw_port {
	char ifname[IFNAMSIZ];
	bool filter;          /* in 'ports': MAC (and IP) binding, no DHCP server, no RA. false:
			       * only 'isolated' and the rate limit apply (port-security no) */
	bool has_mac;         /* true: frames must carry 'mac'; false: learnt from the first frame */
	uint8_t mac[6];
	bool ip_binding;      /* IPv4 and ARP sources must be a pair in 'mac_ip' */
	bool isolated;        /* no traffic to other isolated ports */
	uint64_t rate_bytes;  /* traffic from the guest policed to this many bytes/s; 0 = none */
	uint32_t dhcp_mark;   /* with 'filter': the mark its DHCP requests from 0.0.0.0 get (see
			       * fw_port_dhcp_mark()); 0 = none */
};

/*
 * The packet mark of DHCP requests from 0.0.0.0 through a port: FW_PORT_DHCP_MARK in the top
 * byte, so that a mark someone else set is not taken for a port, and the port's ifindex in the
 * other 24 bits.
 */
#define FW_PORT_DHCP_MARK 0x6b000000U
#define FW_PORT_DHCP_MARK_MASK 0xff000000U

/* The mark for the port of index 'ifindex', or 0 when it does not fit (<= 0 or >= 2^24). */
uint32_t fw_port_dhcp_mark(int ifindex);

/* The ifindex a mark made by fw_port_dhcp_mark() names, or 0 for any other mark. */
int fw_port_dhcp_mark_ifindex(uint32_t mark);

/*
 * The burst of the limiter for 'rate_bytes': nft's bucket holds a second at the rate plus the
 * burst; the burst only tops it up to two 64 KiB GSO frames at low rates.
 */
uint64_t fw_port_rate_burst(uint64_t rate_bytes);

/* One (MAC, IPv4 address) pair a guest may use as its source. */
struct fw_binding {
	uint8_t mac[6];
	struct in_addr ip;
};

/*
 * Renders the script that creates the table, its sets, map and chains when missing, and (re)sets
 * the chains' rules: base chains are flushed and refilled in the same transaction, so loading it
 * again is idempotent and never loses set elements or counters (ports stay protected while the
 * daemon restarts). The forward-hook chain 'isolate' exists only with 'isolate' (some network
 * isolates its ports): without it, it is deleted, so forwarded frames pay nothing for it.
 * Returns 0 or -ENOMEM; '*ret' is malloc'd.
 */
int fw_port_render_base(bool isolate, char **ret);

/*
 * Renders the script that puts port 'p' under policy, replacing whatever the table held for a
 * port of that name (elements of every set, learnt MAC excepted: see 'learnt_mac'), so it is also
 * how a port's policy changes. Includes its counter 'd_IFNAME' (kept when it exists) and map
 * element, and its 'dhcp_port' element (with 'filter' and a 'dhcp_mark'). 'learnt_mac' (may be
 * NULL) is the MAC the table currently holds for this port in 'port_mac' (from fw_port_list());
 * it is deleted when it differs from 'p->mac' or when 'p' learns. 'held_dhcp_mark' is the port's
 * current element in 'dhcp_port' (fw_port_state.dhcp_mark; 0 = none), replaced when it differs
 * (nft cannot delete a map element without its value). Flushes 'fast4'. The script needs the
 * base (render both into one fw_apply() call, base first, when unsure). Returns 0, -ENOMEM, or
 * -EINVAL for an ifname kvmnet would not accept (ifname_is_valid() rules: [A-Za-z0-9_.-], 1..15
 * characters).
 */
int fw_port_render_add(const struct fw_port *p, const uint8_t *learnt_mac, uint32_t held_dhcp_mark,
		       char **ret);

/*
 * Renders the script that removes every trace of port 'ifname': its elements in every set and
 * map, its counter, 'learnt_mac' (may be NULL) from 'port_mac' (a bound MAC is removed too: pass
 * it as 'learnt_mac') and its element in 'dhcp_port' when 'held_dhcp_mark' (its value) is not 0.
 * Succeeds whether or not they exist. Flushes 'fast4'. Returns 0, -ENOMEM, -EINVAL.
 */
int fw_port_render_remove(const char *ifname, const uint8_t *learnt_mac, uint32_t held_dhcp_mark,
			  char **ret);

/*
 * Renders the script that adds 'n_add' pairs to and removes 'n_del' pairs from 'mac_ip' (each
 * succeeds whether or not the pair exists; removals first); flushes 'fast4' when n_del > 0.
 * Returns 0 or -ENOMEM; with nothing to do '*ret' is an empty string.
 */
int fw_port_render_bindings(const struct fw_binding *add, size_t n_add,
			    const struct fw_binding *del, size_t n_del, char **ret);

/* Renders the script that deletes the whole table (and succeeds if it is absent). */
int fw_port_render_reset(char **ret);

/* What the kernel holds for one port, as fw_port_list() reads it. */
struct fw_port_state {
	char ifname[IFNAMSIZ];
	bool filter;          /* in 'ports' */
	uint64_t rate_bytes;  /* its limit object's rate, 0 = none */
	bool has_mac;         /* a MAC is in 'port_mac' for it (bound or learnt) */
	uint8_t mac[6];
	bool learning;        /* still in 'learn' */
	bool ip_binding;
	bool isolated;
	uint32_t dhcp_mark;   /* its element in 'dhcp_port', 0 = none */
	uint64_t dropped_packets;   /* its counter d_IFNAME */
	uint64_t dropped_bytes;
};

typedef int (*fw_port_state_fn)(const struct fw_port_state *st, void *data);

/*
 * Calls 'cb' once per port under any policy (one per counter d_IFNAME), in no particular order. Reads
 * the table with nft's JSON listing (one 'list table bridge kvmnet'; only when that fails, a
 * 'list tables bridge' tells a missing table from an error). A port with two MACs in 'port_mac'
 * (see the known limit above) is reported with one of them. Everything is read before the first
 * call, so 'cb' may use 'ctx'. A negative return from 'cb' stops the walk and is returned.
 * Returns 0 also when the table does not exist (no call), -EIO when nft cannot list it, -ENOMEM.
 * Blocks for the netlink dumps.
 */
int fw_port_list(struct fw_ctx *ctx, fw_port_state_fn cb, void *data);

/*
 * Reads the pairs of 'mac_ip' into '*ret' (malloc'd, '*ret_n' of them; NULL and 0 when empty or
 * the table is absent), with one 'list set bridge kvmnet mac_ip'. Used at startup to reconcile
 * bindings with the leases. Returns 0, -EIO, -ENOMEM. Blocks for the netlink dumps.
 */
int fw_port_list_bindings(struct fw_ctx *ctx, struct fw_binding **ret, size_t *ret_n);

#endif
