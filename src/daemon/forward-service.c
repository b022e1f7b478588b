/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of forward-service.h. The index is one array of 2 x 65536 slots (tcp, udp; by
 * port), allocated with the first forward; each slot lists the forwards claiming that port
 * (several only when they are bound to distinct host addresses).
 */
#include "daemon/forward-service.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/conf-forward.h"
#include "daemon/manager-core.h"
#include "daemon/network-mode.h"
#include "daemon/network-types.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-forward.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

struct forward_claim {
	struct network *network;               /* borrowed */
	const struct network_forward *forward; /* borrowed: an item of network->forwards */
	struct forward_claim *next;
};

#define FORWARD_SLOTS (2 * 65536)

static size_t slot_of(const struct network_forward *f, unsigned port)
{
	return (size_t)(f->proto == FORWARD_PROTO_UDP) * 65536 + port;
}

void forward_service_free(struct manager *m)
{
	if (!m->forward_index)
		return;
	for (size_t i = 0; i < FORWARD_SLOTS; i++)
		while (m->forward_index[i]) {
			struct forward_claim *c = m->forward_index[i];

			m->forward_index[i] = c->next;
			free(c);
		}
	free(m->forward_index);
	m->forward_index = NULL;
}

/* Whether a socket listens on (or holds) 'port' of 'f's proto and host address. */
static bool port_in_use(const struct network_forward *f, unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, fd;
	bool busy;

	fd = socket(AF_INET, (f->proto == FORWARD_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return false;
	sa.sin_addr.s_addr = f->has_host_address ? f->host_address.s_addr : htonl(INADDR_ANY);
	/* TCP: only listeners clash then, not connections in TIME_WAIT. */
	if (f->proto == FORWARD_PROTO_TCP)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A host address not (yet) configured on the host can still be probed. */
	(void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	busy = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EADDRINUSE;
	close(fd);
	return busy;
}

int forward_service_check(struct manager *m, const struct network *self,
			  const struct network_forward *f, bool probe, char *err, size_t errlen)
{
	const char *proto = forward_proto_to_string(f->proto);

	for (unsigned p = f->host_port_first; p <= f->host_port_last; p++) {
		for (const struct forward_claim *c = m->forward_index ? m->forward_index[slot_of(f, p)]
								     : NULL;
		     c; c = c->next) {
			if (c->network == self || !network_forward_overlaps(c->forward, f))
				continue;
			snprintf(err, errlen, "%s host port %u is already forwarded by network '%s' "
				 "(forward %s)", proto, p, c->network->config.name, c->forward->name);
			return -EEXIST;
		}
		if (probe && port_in_use(f, p)) {
			snprintf(err, errlen, "%s host port %u is in use by a socket on the host", proto,
				 p);
			return -EBUSY;
		}
	}
	return 0;
}

bool forward_service_claims(const struct manager *m, const struct network *n,
			    const struct network_forward *f)
{
	if (!n || !m->forward_index)
		return false;
	for (unsigned p = f->host_port_first; p <= f->host_port_last; p++) {
		bool found = false;

		for (const struct forward_claim *c = m->forward_index[slot_of(f, p)]; c && !found;
		     c = c->next)
			found = c->network == n &&
				c->forward->has_host_address == f->has_host_address &&
				(!f->has_host_address ||
				 c->forward->host_address.s_addr == f->host_address.s_addr);
		if (!found)
			return false;
	}
	return true;
}

static int index_one(struct manager *m, struct network *n, const struct network_forward *f,
		     bool add)
{
	for (unsigned p = f->host_port_first; p <= f->host_port_last; p++) {
		struct forward_claim **pp = &m->forward_index[slot_of(f, p)];

		if (add) {
			struct forward_claim *c = malloc(sizeof(*c));

			if (!c)
				return -ENOMEM;
			*c = (struct forward_claim){ .network = n, .forward = f, .next = *pp };
			*pp = c;
			continue;
		}
		for (; *pp; pp = &(*pp)->next)
			if ((*pp)->network == n && (*pp)->forward == f) {
				struct forward_claim *c = *pp;

				*pp = c->next;
				free(c);
				break;
			}
	}
	return 0;
}

int forward_service_index(struct manager *m, struct network *n, const struct network_forwards *fs,
			  bool add)
{
	if (!fs || fs->n == 0)
		return 0;
	if (!m->forward_index) {
		if (!add)
			return 0;
		m->forward_index = calloc(FORWARD_SLOTS, sizeof(*m->forward_index));
		if (!m->forward_index)
			return -ENOMEM;
	}
	for (size_t i = 0; i < fs->n; i++) {
		int r = index_one(m, n, &fs->items[i], add);

		if (r < 0) {
			/* Undo this forward's and the earlier ones' claims. */
			for (size_t j = 0; j <= i; j++)
				(void)index_one(m, n, &fs->items[j], false);
			return r;
		}
	}
	return 0;
}

int forward_service_apply(struct manager *m, const struct network_forward *f, bool add, char *err,
			  size_t errlen)
{
	_cleanup_free_ char *script = NULL, *msg = NULL;
	int r;

	r = fw_forward_render_elements(f, !add, &script);
	if (r < 0)
		return r;
	r = fw_apply(m->fw, script, &msg);
	if (r < 0)
		snprintf(err, errlen, "failed to %s the rules of forward %s: %s",
			 add ? "install" : "remove", f->name, msg ? msg : strerror(-r));
	return r;
}

int forward_service_sync(struct manager *m)
{
	_cleanup_free_ struct fw_forward_network *sets = NULL;
	_cleanup_free_ char *script = NULL, *msg = NULL;
	size_t n = 0;
	int r;

	sets = calloc(m->n_networks ? m->n_networks : 1, sizeof(*sets));
	if (!sets)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_networks; i++)
		if (m->networks[i]->active && network_mode_ops(m->networks[i]->config.mode)->port_forwards)
			sets[n++] = (struct fw_forward_network){
				.forwards = &m->networks[i]->forwards,
			};
	r = fw_forward_render_sync(sets, n, &script);
	if (r < 0)
		return r;
	r = fw_apply(m->fw, script, &msg);
	if (r < 0)
		log_error("Failed to install the port forwards: %s", msg ? msg : strerror(-r));
	return r;
}

static void network_apply_all(struct network *n, bool add)
{
	char err[512];

	/* The hairpin masquerade keys on the network's 'subnets' element (fw-render). */
	if (!network_mode_ops(n->config.mode)->port_forwards)
		return;
	for (size_t i = 0; i < n->forwards.n; i++)
		if (forward_service_apply(n->manager, &n->forwards.items[i], add, err,
					  sizeof(err)) < 0)
			log_warning("Network '%s': %s, ignoring", n->config.name, err);
}

void forward_service_network_up(struct network *n)
{
	network_apply_all(n, true);
}

void forward_service_network_down(struct network *n)
{
	network_apply_all(n, false);
}

int forward_service_check_network(struct manager *m, const struct network *self,
				  const struct network_config *c, const struct network_forward *f,
				  bool probe, char *err, size_t errlen)
{
	if (!network_mode_ops(c->mode)->port_forwards) {
		snprintf(err, errlen, "network %s is %s: port forwards need a nat or routed network",
			 c->name, network_mode_to_string(c->mode));
		return -EINVAL;
	}
	return forward_service_check(m, self, f, probe, err, errlen);
}
