/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deletes links off the caller's path. Unregistering a net device makes the kernel wait for RCU
 * (netdev_run_todo() calls rcu_barrier(): 20-50 ms on the test machine, whatever the device),
 * which was almost all of a net.stop. nl_reaper_delete() moves the link into the reaper's link
 * group (IFLA_GROUP: one quick RTM_SETLINK, the link keeps working) and wakes a thread that
 * deletes the whole group with one RTM_DELLINK on a netlink socket of its own: every link handed
 * over meanwhile goes in the same unregistration, so one wait covers many.
 *
 * Until the thread is done the links still exist under their names (and their routes), so
 * whoever needs one back (nl_reaper_has_name(), or a conflict while nl_reaper_is_busy()) calls
 * nl_reaper_drain() first. If the kernel refuses the group as a whole (a link of another
 * process in it), the thread deletes the links it was given one by one. A process killed
 * before the thread was done leaves links in the group: nl_reaper_reap_now() at start-up
 * deletes them.
 */
#ifndef KN_NETLINK_NL_REAPER_H
#define KN_NETLINK_NL_REAPER_H

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct nl_reaper;

/* The link group of links waiting for deletion ("knrp"); nothing else should use it. */
#define NL_REAPER_GROUP UINT32_C(0x6b6e7270)

/*
 * Starts the reaper: its netlink socket and thread (all signals blocked in it, so signalfd users
 * keep theirs). Returns 0 and '*ret', -ENOMEM, or -errno from socket() or pthread_create().
 */
int nl_reaper_new(struct nl_reaper **ret);

/* Deletes what was handed over (blocking), stops the thread, frees 'r' (NULL is fine); NULL. */
struct nl_reaper *nl_reaper_free(struct nl_reaper *r);

/*
 * Hands link 'ifindex' (named 'name', whose name stays reserved until it is gone) over for
 * deletion, through 's' (the caller's socket, for the quick RTM_SETLINK). Returns 0; -ENODEV
 * if the link is gone already; -ENOMEM; -errno from the kernel. On failure the caller deletes
 * the link itself.
 */
int nl_reaper_delete(struct nl_reaper *r, struct nl_sock *s, int ifindex, const char *name);

/* Whether links handed over are still waiting. Does not block (beyond the reaper's mutex). */
bool nl_reaper_is_busy(struct nl_reaper *r);

/* Whether a link named 'name' was handed over and is not deleted yet. */
bool nl_reaper_has_name(struct nl_reaper *r, const char *name);

/* Blocks until every link handed over so far is deleted (one group deletion: tens of ms). */
void nl_reaper_drain(struct nl_reaper *r);

/*
 * Deletes every link of the group now, through 's' (blocking): start-up, after a crash. Returns
 * 0 (also when there was none) or -errno.
 */
int nl_reaper_reap_now(struct nl_sock *s);

#endif
