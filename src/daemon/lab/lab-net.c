/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The networks of a lab, created and deleted as 'net create' and 'net delete' do (lab-net.h). */
#include "daemon/lab/lab-net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-host.h"
#include "daemon/api-methods-internal.h"
#include "daemon/dhcp-service.h"
#include "daemon/forward-service.h"
#include "daemon/lab/lab-node.h"
#include "daemon/manager.h"
#include "daemon/network.h"
#include "daemon/state-dir.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

/* A reservation per static nic on the network, so that port-security yes allows its address. */
static int lab_net_hosts(const struct lab_config *lc, const struct network_config *c,
			 struct network_hosts *hosts, char *err, size_t errlen)
{
	for (size_t i = 0; i < lc->n_nodes; i++) {
		const struct lab_node *node = &lc->nodes[i];

		for (size_t k = 0; k < node->n_nics; k++) {
			struct network_host h = { .ip = node->nics[k].ip };
			int r;

			if (!node->nics[k].has_ip || strcmp(node->nics[k].network, c->name) != 0)
				continue;
			if (host_name_is_valid(node->name))
				snprintf(h.name, sizeof(h.name), "%s", node->name);
			lab_node_mac(lc->name, node->name, k, h.mac);
			r = network_hosts_add(hosts, &h, c, err, errlen);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int lab_net_forwards(struct manager *m, const struct lab_config *lc,
			    const struct network_config *c, struct network_forwards *fs, char *err,
			    size_t errlen)
{
	for (size_t i = 0; i < lc->n_forwards; i++) {
		const struct lab_forward *f = &lc->forwards[i];
		int r;

		if (strcmp(f->network, c->name) != 0)
			continue;
		r = forward_service_check_network(m, NULL, c, &f->fwd, true, err, errlen);
		if (r >= 0)
			r = network_forwards_add(fs, &f->fwd, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int lab_net_create(struct manager *m, const struct lab_config *lc, const struct lab_network *ln,
		   char *err, size_t errlen)
{
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_(network_forwards_done) struct network_forwards fwds = { 0 };
	const struct network_config *c = &ln->config;
	struct network *n = NULL;
	char msg[512] = "";
	int r;

	if (manager_find_network(m, c->name)) {
		snprintf(err, errlen, "network %s already exists on this host", c->name);
		return -EEXIST;
	}
	if (m->n_networks >= MANAGER_NETWORKS_MAX) {
		snprintf(err, errlen, "too many networks (limit %d)", MANAGER_NETWORKS_MAX);
		return -E2BIG;
	}
	r = manager_check_conflicts(m, c, NULL, msg, sizeof(msg));
	if (r >= 0)
		r = lab_net_hosts(lc, c, &hosts, msg, sizeof(msg));
	if (r >= 0)
		r = lab_net_forwards(m, lc, c, &fwds, msg, sizeof(msg));
	if (r < 0) {
		snprintf(err, errlen, "network %s: %s", c->name, msg);
		return r;
	}
	r = network_new(m, c, &hosts, NULL, &n);
	if (r < 0)
		return r;
	n->forwards = fwds;
	fwds = (struct network_forwards){ 0 };
	r = forward_service_index(m, n, &n->forwards, true);
	if (r < 0)
		goto fail;
	/* As 'net create': durable before the kernel is touched. */
	r = state_dir_set_running(m->state, c->name, true);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "failed to record the network as running: %s",
			 strerror(-r));
		goto fail_definition;
	}
	r = api_save_definition_full(m, c, &n->hosts, NULL, NULL, &n->forwards, msg, sizeof(msg));
	if (r < 0)
		goto fail_definition;
	r = network_up(m, n, NULL, false, msg, sizeof(msg));
	if (r < 0)
		goto fail_definition;
	n->active = true;
	r = manager_add_network(m, n);
	if (r < 0) {
		n = NULL;   /* freed by manager_add_network() */
		snprintf(msg, sizeof(msg), "%s", strerror(-r));
		goto fail_definition;
	}
	log_info("Lab %s: network '%s' created and started on '%s'", lc->name, c->name,
		 c->bridge);
	return 0;

fail_definition:
	(void)state_dir_remove_network(m->state, c->name);
fail:
	if (n && n->active)
		(void)network_down(m, n, msg, sizeof(msg));
	if (n)
		manager_link_unindex(m, n);
	network_free(n);
	snprintf(err, errlen, "network %s: %s", c->name, msg[0] ? msg : strerror(-r));
	return r;
}

int lab_net_delete(struct manager *m, const char *name, char *err, size_t errlen)
{
	struct network *n = manager_find_network(m, name);
	int r;

	if (!n)
		return -ENOENT;
	if (n->active) {
		r = network_down(m, n, err, errlen);
		if (r < 0)
			return r;
		n->active = false;
	}
	r = state_dir_remove_network(m->state, name);
	if (r < 0) {
		snprintf(err, errlen, "network %s: failed to remove the definition: %s", name,
			 strerror(-r));
		return r;
	}
	r = api_doctor_network_deleted(m, name);
	if (r < 0)
		log_warning_errno(r, "Failed to remove the doctor's rules of network '%s': %m", name);
	r = dhcp_service_network_forget_leases(n);
	if (r < 0)
		log_warning_errno(r, "Failed to forget the leases of network '%s': %m", name);
	log_info("Network '%s' deleted", name);
	manager_remove_network(m, n);
	return 0;
}
