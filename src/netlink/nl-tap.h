/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tap devices: made through /dev/net/tun (TUNSETIFF, TUNSETOWNER, TUNSETPERSIST ioctls: the
 * kernel has no netlink call that makes a tap with an owner and queues) and read back through
 * rtnetlink (IFLA_INFO_DATA of kind "tun", kernel >= 4.15). Deleting one is nl_link_delete().
 */
#ifndef KN_NETLINK_NL_TAP_H
#define KN_NETLINK_NL_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct nl_sock;

/* Most queues of a multiqueue tap kvmnet makes (one fd per queue; QEMU's queues=N). */
#define TAP_QUEUES_MAX 16

struct tap_options {
	const char *name;     /* exact name, or a kernel template holding "%d" ("kn-t%d") */
	uid_t owner;          /* TUNSETOWNER; (uid_t)-1 = no owner (only CAP_NET_ADMIN may open it) */
	unsigned queues;      /* 1..TAP_QUEUES_MAX; > 1 sets IFF_MULTI_QUEUE */
	bool vnet_hdr;        /* IFF_VNET_HDR (virtio-net header: offloads for QEMU) */
	bool persist;         /* TUNSETPERSIST: the device outlives the returned fds */
};

/*
 * Creates a tap (IFF_TAP | IFF_NO_PI, plus IFF_VNET_HDR and IFF_MULTI_QUEUE as asked) and
 * writes its name into 'ret_name'. The device is left down and unattached. When 'ret_fds' is
 * non-NULL it receives the 'o->queues' open fds (O_CLOEXEC | O_NONBLOCK), one per queue, which
 * the caller owns; when NULL they are closed, which deletes a non-persistent tap at once (so
 * only pass NULL with 'persist'). Refuses an existing device of that name (-EEXIST), also one
 * that is a tap: TUNSETIFF would silently attach to it otherwise (checked with 'nl' before, and
 * the race is closed by IFF_TUN_EXCL). On any failure nothing is left behind. Returns 0,
 * -EINVAL (bad options), -EEXIST, -ENOENT (/dev/net/tun missing), -EPERM, or another -errno.
 */
int tap_create(struct nl_sock *nl, const struct tap_options *o, char ret_name[IFNAMSIZ],
	       int *ret_fds);

struct tap_info {
	bool is_tap;          /* kind "tun" and IFF_TAP (false for a tun or any other kind) */
	bool persist;
	bool vnet_hdr;
	bool multi_queue;
	unsigned queues;      /* queues attached now (0 = nobody has it open): IFLA_TUN_NUM_QUEUES
			       * of a multiqueue tap; a single-queue one has its carrier on */
	uid_t owner;          /* (uid_t)-1 = none */
};

/*
 * Reads what rtnetlink reports of the link 'ifindex' (RTM_GETLINK with IFLA_INFO_DATA).
 * Returns 0 (also for a link that is not a tap: is_tap false), -ENODEV, -EOPNOTSUPP for a tun
 * device on a kernel older than 4.15 (no IFLA_INFO_DATA), or -errno. Blocks for one round trip.
 */
int tap_get_info(struct nl_sock *nl, int ifindex, struct tap_info *ret);

#endif
