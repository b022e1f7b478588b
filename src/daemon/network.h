/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One network: its definition and the reconciliation of the kernel with it. network_up() makes
 * the bridge, its address and the network's nftables rules match the definition, leaving alone
 * whatever is already right (so a restarted daemon adopts running networks without touching
 * guest traffic) and undoing its own changes if a later step fails. network_down() removes them.
 */
#ifndef KN_DAEMON_NETWORK_H
#define KN_DAEMON_NETWORK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/network-types.h"

struct manager;

/*
 * Allocates a network holding a copy of 'c' (validated) and taking the contents of 'hosts' and
 * 'records' (each may be NULL; emptied on success), inactive.
 */
int network_new(struct manager *m, const struct network_config *c, struct network_hosts *hosts,
		struct network_dns_records *records, struct network **ret);
struct network *network_free(struct network *n);

/*
 * Brings the kernel in line with 'n->config'. 'old' is the configuration whose rules are
 * installed under this network's name (a replaced definition), restored if a step fails; or NULL. 'adopt' allows an
 * existing bridge of the network's name to be taken over (restart, start); when false an
 * existing interface of that name is refused (create). On failure every change made here is
 * undone and a one-line reason is written to 'err'. Does not touch the state directory.
 */
int network_up(struct manager *m, struct network *n, const struct network_config *old, bool adopt,
	       char *err, size_t errlen);

/* Removes the network's rules and bridge (whatever of them exists). */
int network_down(struct manager *m, struct network *n, char *err, size_t errlen);

/* True if changing from 'a' to 'b' changes anything in the kernel. */
bool network_config_kernel_differs(const struct network_config *a, const struct network_config *b);

/* The network as a JSON object (name, mode, state, bridge, subnet, gateway, ...). */
json_t *network_to_json(const struct network *n);

#endif
