/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Links: read (one or all), create bridges, set MTU / up / master, delete. rtnetlink RTM_*LINK. */
#ifndef KN_NETLINK_NL_LINK_H
#define KN_NETLINK_NL_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct nlmsghdr;

struct nl_link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[16];        /* IFLA_INFO_KIND: "bridge", "veth", "tun", ... ; "" if none */
	uint32_t mtu;
	bool up;              /* IFF_UP set (administrative state) */
	int master;           /* ifindex of the master (bridge), 0 if none */
	int lower;            /* IFLA_LINK: the lower device (of a macvtap, vlan...), 0 if none */
	uint8_t mac[6];
	/* IFLA_STATS64, as the link itself counts (a tap's rx is what its guest sent) */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped, tx_dropped;
	bool carrier;         /* IFF_LOWER_UP: for a tap, someone has it open */
	uint32_t group;       /* IFLA_GROUP (NL_REAPER_GROUP: on its way out) */
};

/*
 * Fills 'ret' for the link named 'name' (the kernel also matches alternative names). -ENODEV if
 * there is none, -EINVAL if 'name' is empty or too long. Blocks for one netlink round trip.
 */
int nl_link_get_by_name(struct nl_sock *s, const char *name, struct nl_link_info *ret);
/* Same for the link with index 'ifindex'; -ENODEV if there is none. */
int nl_link_get_by_index(struct nl_sock *s, int ifindex, struct nl_link_info *ret);

typedef int (*nl_link_fn)(const struct nl_link_info *link, void *data);

/* Calls 'cb' for every link in the namespace; a negative return from 'cb' stops and is returned. */
int nl_link_dump(struct nl_sock *s, nl_link_fn cb, void *data);
/* The same for the links whose master is 'master' only (filtered by the kernel). */
int nl_link_dump_master(struct nl_sock *s, int master, nl_link_fn cb, void *data);

/*
 * Parses one RTM_NEWLINK/RTM_DELLINK message into 'ret' (used by dumps and the monitor).
 * 'nlh' must be readable for its nlmsg_len bytes; nothing beyond is read. Returns -EBADMSG for
 * a malformed message, -EPROTO for another message type; 'ret' is written only on success.
 */
int nl_link_parse(const struct nlmsghdr *nlh, struct nl_link_info *ret);

/*
 * Creates a bridge 'name' (NLM_F_CREATE|NLM_F_EXCL), with MTU 'mtu' when non-zero, STP off,
 * forward delay 0, left down. Returns -EEXIST if a link of that name exists. Writes the new
 * ifindex to 'ret_ifindex' (may be NULL).
 */
int nl_bridge_create(struct nl_sock *s, const char *name, uint32_t mtu, int *ret_ifindex);

/*
 * Creates the veth pair 'name' (in the socket's namespace, left down) and 'peer', made directly
 * inside the network namespace 'peer_ns_fd' (-1 = the same namespace). -EEXIST if 'name' exists.
 * Writes the ifindex of 'name' to 'ret_ifindex' (may be NULL).
 */
int nl_veth_create(struct nl_sock *s, const char *name, const char *peer, int peer_ns_fd,
		   int *ret_ifindex);

/*
 * The setters below change one property of link 'ifindex' (RTM_SETLINK) and block for the
 * kernel's ACK. They return 0, -ENODEV if the link does not exist, -EINVAL for a bad argument,
 * or the kernel's -errno (say -EINVAL for an MTU the device refuses).
 */
int nl_link_set_mtu(struct nl_sock *s, int ifindex, uint32_t mtu);
/*
 * Sets IPv4 setting 'field' (IPV4_DEVCONF_*, <linux/ip.h>: what /proc/sys/net/ipv4/conf/DEV/
 * shows) of the link to 'value', through IFLA_AF_SPEC. -EINVAL for a field out of range.
 */
int nl_link_set_ipv4_conf(struct nl_sock *s, int ifindex, int field, uint32_t value);
/* Sets (or clears) IFF_UP, the administrative state. */
int nl_link_set_up(struct nl_sock *s, int ifindex, bool up);
/* Enslaves 'ifindex' to bridge 'master_ifindex' (0 = release). */
int nl_link_set_master(struct nl_sock *s, int ifindex, int master_ifindex);
/* Deletes the link; -ENODEV if it is already gone. */
int nl_link_delete(struct nl_sock *s, int ifindex);
/* Sets the link's group (IFLA_GROUP). */
int nl_link_set_group(struct nl_sock *s, int ifindex, uint32_t group);
/*
 * Deletes every link of group 'group' at once (one unregistration, so one RCU wait for all).
 * Returns 0; -ENODEV when the group has no link; -EOPNOTSUPP if one of them cannot be deleted
 * (then none is).
 */
int nl_link_delete_group(struct nl_sock *s, uint32_t group);
/* Sets the link's MAC address (IFLA_ADDRESS). */
int nl_link_set_mac(struct nl_sock *s, int ifindex, const uint8_t mac[6]);

/*
 * Creates macvtap device 'name' over link 'lower_ifindex' with address 'mac' and macvlan mode
 * 'mode' (MACVLAN_MODE_BRIDGE, _VEPA, _PRIVATE or _PASSTHRU of <linux/if_link.h>), left down.
 * -EEXIST if a link of that name exists; the kernel's -errno otherwise (-EBUSY: the lower
 * device is a bridge port or already given to a passthrough device). Writes the new ifindex to
 * 'ret_ifindex' (may be NULL).
 */
int nl_macvtap_create(struct nl_sock *s, const char *name, int lower_ifindex, uint32_t mode,
		      const uint8_t mac[6], int *ret_ifindex);

#endif
