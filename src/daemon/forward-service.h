/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Port forwards in the daemon: the index of every claimed host port (all networks, defined or
 * running), the check of a new forward against it and against the host's listening sockets, and
 * the nftables elements of running networks (fw-forward's maps), added and removed one forward at
 * a time. The index is a table keyed by (proto, port): a check costs the same however many
 * networks and forwards exist.
 */
#ifndef KN_DAEMON_FORWARD_SERVICE_H
#define KN_DAEMON_FORWARD_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

struct manager;
struct network;
struct network_config;
struct network_forward;
struct network_forwards;

/* Frees the index. */
void forward_service_free(struct manager *m);

/*
 * Checks that the host ports of 'f' are claimed by no forward of another network than 'self'
 * (may be NULL) and, when 'probe', that no socket on the host listens on them (a bind() probe,
 * per port). Returns 0, -EEXIST or -EBUSY with a one-line reason in 'err', -ENOMEM.
 */
int forward_service_check(struct manager *m, const struct network *self,
			  const struct network_forward *f, bool probe, char *err, size_t errlen);

/*
 * forward_service_check() preceded by the mode's check: only networks of a mode with
 * port_forwards (nat, routed) take forwards (-EINVAL "network lab is isolated: port forwards need
 * a nat or routed network").
 */
int forward_service_check_network(struct manager *m, const struct network *self,
				  const struct network_config *c, const struct network_forward *f,
				  bool probe, char *err, size_t errlen);

/*
 * Whether network 'n' claims every host port of 'f' already, on the same host address (a forward
 * it has, kept by a redefinition): such ports were probed when first claimed. Costs one index
 * slot per port, however many forwards exist.
 */
bool forward_service_claims(const struct manager *m, const struct network *n,
			    const struct network_forward *f);

/* Records (or forgets) the claims of every forward of 'fs' for network 'n'. 0 or -ENOMEM. */
int forward_service_index(struct manager *m, struct network *n, const struct network_forwards *fs,
			  bool add);

/* Adds or deletes the nftables elements of 'f'. Returns 0 or -EINVAL with nft's reason in 'err'. */
int forward_service_apply(struct manager *m, const struct network_forward *f, bool add, char *err,
			  size_t errlen);

/* The elements of every forward of 'n' (a running network), as step 9 of network_up(), or their
 * removal (network_down()); failures are logged and ignored. */
void forward_service_network_up(struct network *n);
void forward_service_network_down(struct network *n);

/*
 * Installs the maps and chains, and replaces their elements by those of every active network, in
 * one transaction: run once at start-up after the networks came up. Returns 0 or a negative errno.
 */
int forward_service_sync(struct manager *m);

#endif
