/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's DHCP service: one lease journal for all networks, a lease store per defined
 * network, and while a network is up its engine and sockets in the event loop. Replies wait for
 * the journal: the messages read in one go are handled, their lease changes written with one
 * fdatasync (group commit), and only then are the replies sent. Also runs lease expiry and the
 * journal's background compaction.
 */
#ifndef KN_DAEMON_DHCP_SERVICE_H
#define KN_DAEMON_DHCP_SERVICE_H

#include <jansson.h>
#include <stdbool.h>

struct dhcp_service;
struct manager;
struct network;

/* Messages handled per readable event before the batch is committed and answered. */
#define DHCP_SERVICE_BATCH 256

int dhcp_service_new(struct manager *m, struct dhcp_service **ret);
/* Commits what is pending and frees; networks must have been detached or freed first. */
struct dhcp_service *dhcp_service_free(struct dhcp_service *d);

/*
 * Opens the journal STATE/leases.journal and replays it into the stores of the networks
 * attached so far (records of unknown networks are dropped at the next compaction).
 */
int dhcp_service_load(struct dhcp_service *d, const char *state_dir);

/*
 * For the DHCPv6 service, which shares the journal: buffers the record of a durable change of
 * lease 'l' of network 'network' (a failure is logged, and the batch's commit then fails) and
 * arms the expiry timer for it. Does nothing while the journal is being replayed.
 */
struct lease;
void dhcp_service_journal_change(struct dhcp_service *d, const char *network,
				 const struct lease *l, bool removed);
/*
 * Commits what the batch buffered (one fdatasync). Returns 0 when every change of the batch is
 * durable: only then may its replies leave; else -errno (logged).
 */
int dhcp_service_commit_batch(struct dhcp_service *d);

/* Gives a defined network its lease store (idempotent). */
int dhcp_service_network_attach(struct network *n);
/* Forgets a network's store and engine (its definition is gone or being freed). */
void dhcp_service_network_detach(struct network *n);
/*
 * Deletes every lease of 'n' durably (journal removal records, committed): the network itself
 * is being deleted.
 */
int dhcp_service_network_forget_leases(struct network *n);

/*
 * Starts serving DHCP on the network's bridge, or restarts it when the bridge changed (a
 * repair). A network with dhcp off is stopped instead. One-line reason in 'err' on failure.
 */
int dhcp_service_network_start(struct network *n, char *err, size_t errlen);
void dhcp_service_network_stop(struct network *n);
/* Applies a changed definition or reservations to a running engine. */
int dhcp_service_network_reconfigure(struct network *n);

/* The leases of 'n' (all of them if 'all', else only bound ones) appended to array 'a'. */
int dhcp_service_network_leases_to_json(const struct network *n, bool all, json_t *a);
/* DHCP counters of 'n' as an object, or NULL when not serving. */
json_t *dhcp_service_network_stats_to_json(const struct network *n);

#endif
