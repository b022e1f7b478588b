/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sockets of one network's DNS service: UDP and TCP port 53 on the gateway address (one io
 * for the gateway, another for the gateway6) only
 * (never the wildcard, so kvmnet runs beside systemd-resolved, a host dnsmasq or any other
 * server). UDP queries are read and answered in batches (recvmmsg/sendmmsg); TCP connections
 * (RFC 7766: length-prefixed, pipelined, idle timeout) are bounded in number and size. Each
 * query goes to the engine; what it does not answer goes to the forwarder.
 */
#ifndef KN_DNS_DNS_IO_H
#define KN_DNS_DNS_IO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_forward;
struct dns_query_info;
struct dns_io;
struct dns_server;
struct event_loop;

#define DNS_IO_TCP_CLIENTS_MAX 64
#define DNS_IO_TCP_IDLE_USEC (10 * 1000000ULL)

/*
 * Binds UDP and TCP 'addr':53 and starts serving on 'loop' with 'server' and 'fwd' (both
 * borrowed; 'fwd' may be NULL: nothing is forwarded). On -EADDRINUSE, 'err' names the process
 * holding the address when it can be found ("... held by dnsmasq (pid 123)").
 */
int dns_io_new(struct event_loop *loop, struct in_addr addr, struct dns_server *server,
	       struct dns_forward *fwd, struct dns_io **ret, char *err, size_t errlen);
/*
 * The same on the IPv6 address 'addr' (the gateway6): its queries go to
 * dns_server_handle_query6(). Bound with IPV6_FREEBIND, so an address still tentative works.
 */
int dns_io_new6(struct event_loop *loop, const struct in6_addr *addr, struct dns_server *server,
		struct dns_forward *fwd, struct dns_io **ret, char *err, size_t errlen);
/* True if 'io' (may be NULL) serves on the IPv6 address 'addr'. */
bool dns_io_is_bound6(const struct dns_io *io, const struct in6_addr *addr);
/* Points the io at another engine (a rebuilt zone), keeping its sockets. */
void dns_io_set_server(struct dns_io *io, struct dns_server *server);

/*
 * Asks the other hosts of an overlay for 'info->qname' (DNS_VERDICT_PEERS, UDP): 'reply' must be
 * called exactly once with what to send back, the peers' answer or 'local' (the zone's NXDOMAIN,
 * 'local_len' bytes, valid only during the call), unless cancelled; it may be called before
 * this returns. Returns 0, or a negative errno when it cannot ask (then 'local' is sent).
 */
typedef int (*dns_io_peers_fn)(void *data, const struct dns_query_info *info,
			       const uint8_t *local, size_t local_len,
			       void (*reply)(const uint8_t *answer, size_t len, void *cookie),
			       void *cookie);
/* Drops the pending question of 'cookie' without calling its reply. */
typedef void (*dns_io_peers_cancel_fn)(void *data, void *cookie);

/*
 * Sets who is asked for names the zone lacks ('ask' NULL: nobody, the NXDOMAIN goes out). Its
 * pending questions are cancelled through 'cancel' when the io is freed, so it must outlive
 * the io.
 */
void dns_io_set_peers(struct dns_io *io, dns_io_peers_fn ask, dns_io_peers_cancel_fn cancel,
		      void *data);

/* Closes everything; forwarded queries still pending for it are cancelled. Accepts NULL. */
struct dns_io *dns_io_free(struct dns_io *io);

#endif
