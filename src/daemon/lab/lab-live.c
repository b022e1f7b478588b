/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Live changes of a running lab's nics: impairments and link state (lab-live.h). */
#include "daemon/lab/lab-live.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/lab/lab-impair.h"
#include "daemon/lab/lab-node.h"
#include "daemon/lab/lab-state.h"
#include "daemon/lab/lab.h"
#include "daemon/manager-core.h"
#include "netlink/nl-link.h"
#include "shared/log.h"

static const char *const impair_keys[] = { "rate", "loss", "delay", "jitter" };

static json_t *node_record(const struct lab_node_run *n)
{
	return json_object_get(json_object_get(n->lab->record, "nodes"), n->conf->name);
}

/* The lab's own (mutable) copy of a nic's settings: n->conf is borrowed from it. */
static struct lab_nic *nic_conf(struct lab_node_run *n, size_t i)
{
	return &n->lab->config.nodes[n - n->lab->nodes].nics[i];
}

static int host_end(const struct lab_node_run *n, const struct lab_nic_run *nic, int *ret,
		    char *err, size_t errlen)
{
	struct nl_link_info li;
	int r = nl_link_get_by_name(n->lab->m->nl, nic->host_ifname, &li);

	if (r < 0) {
		snprintf(err, errlen, "node %s: nic %s: port %s: %s", n->conf->name,
			 nic->conf->network, nic->host_ifname,
			 r == -ENODEV ? "not found" : strerror(-r));
		return r;
	}
	*ret = li.ifindex;
	return 0;
}

static int nic_apply(struct lab_node_run *n, struct lab_nic_run *nic,
		     const struct lab_impair *old, const struct lab_impair *imp, char *err,
		     size_t errlen)
{
	char msg[256];
	int ifindex, r;

	r = host_end(n, nic, &ifindex, err, errlen);
	if (r < 0)
		return r;
	r = lab_impair_apply(n->lab->m->nl, n->lab->m->fw, nic->host_ifname, ifindex, old, imp,
			     msg, sizeof(msg));
	if (r < 0)
		snprintf(err, errlen, "node %s: nic %s: %s", n->conf->name, nic->conf->network, msg);
	return r;
}

static bool impaired(const struct lab_impair *imp)
{
	return imp->rate_kbit || imp->loss || imp->delay_usec || imp->jitter_usec;
}

/* "node client: nic front: rate 20mbit, loss 1%" in the lab's progress. */
static void impair_event(struct lab_node_run *n, const struct lab_nic *conf)
{
	const struct lab_impair *imp = &conf->impair;
	const uint32_t set[] = { imp->rate_kbit, imp->loss, imp->delay_usec, imp->jitter_usec };
	char line[160] = "", text[24];
	size_t off = 0;

	for (size_t k = 0; k < ELEMENTSOF(impair_keys) && off < sizeof(line); k++)
		if (set[k])
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s %s",
						off ? ", " : "", impair_keys[k],
						lab_impair_to_string(imp, impair_keys[k], text,
								     sizeof(text)));
	lab_event(n->lab, "node %s: nic %s: %s", n->conf->name, conf->network, line);
}

int lab_live_node_start(struct lab_node_run *n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n->n_nics; i++) {
		struct lab_nic_run *nic = &n->nics[i];
		int r;

		if (!impaired(&nic->conf->impair))
			continue;
		r = nic_apply(n, nic, NULL, &nic->conf->impair, err, errlen);
		if (r < 0)
			return r;
		impair_event(n, nic->conf);
	}
	return 0;
}

static bool link_down_listed(const struct lab_node_run *n, const char *network)
{
	json_t *down = json_object_get(node_record(n), "link-down"), *v;
	size_t i;

	json_array_foreach(down, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), network) == 0)
			return true;
	return false;
}

void lab_live_node_adopt(struct lab_node_run *n, json_t *record)
{
	json_t *impair = json_object_get(record, "impair");
	char err[512];

	for (size_t i = 0; i < n->n_nics; i++) {
		struct lab_nic_run *nic = &n->nics[i];
		struct lab_nic *conf = nic_conf(n, i);
		json_t *o = json_object_get(impair, conf->network);
		struct lab_impair imp = conf->impair;
		int ifindex;

		for (size_t k = 0; o && k < ELEMENTSOF(impair_keys); k++) {
			const char *v = json_string_value(json_object_get(o, impair_keys[k]));

			if (v && lab_impair_set(&imp, impair_keys[k], v, err, sizeof(err)) < 0)
				log_warning("Lab %s: node %s: nic %s: recorded %s: %s", n->lab->name,
					    n->conf->name, conf->network, impair_keys[k], err);
		}
		conf->impair = imp;
		if (impaired(&imp) && nic_apply(n, nic, NULL, &imp, err, sizeof(err)) < 0)
			log_warning("Lab %s: %s", n->lab->name, err);
		if (link_down_listed(n, conf->network) &&
		    host_end(n, nic, &ifindex, err, sizeof(err)) >= 0)
			(void)nl_link_set_up(n->lab->m->nl, ifindex, false);
	}
}

void lab_live_node_stop(struct lab_node_run *n)
{
	for (size_t i = 0; i < n->n_nics; i++)
		if (n->nics[i].conf->impair.loss) {
			int r = lab_impair_remove(n->lab->m->fw, n->nics[i].host_ifname);

			if (r < 0)
				log_warning_errno(r, "Lab %s: cannot remove the loss of %s: %m",
						  n->lab->name, n->nics[i].host_ifname);
		}
}

/* The node and its nic named 'nic' (a network of the node, or ethN). */
static int find_nic(struct lab *l, const char *node, const char *nic, struct lab_node_run **ret,
		    size_t *ret_i, char *err, size_t errlen)
{
	for (size_t i = 0; i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];

		if (strcmp(n->conf->name, node) != 0)
			continue;
		for (size_t k = 0; k < n->n_nics; k++)
			if (strcmp(n->nics[k].conf->network, nic) == 0 ||
			    strcmp(n->nics[k].ifname, nic) == 0) {
				if (l->state == LAB_FAILED || n->state == LAB_NODE_FAILED ||
				    n->state == LAB_NODE_GONE) {
					snprintf(err, errlen, "node %s is %s", node,
						 l->state == LAB_FAILED
							 ? "not up (the lab failed)"
							 : lab_node_state_to_string(n->state));
					return -EBUSY;
				}
				*ret = n;
				*ret_i = k;
				return 0;
			}
		snprintf(err, errlen, "node %s has no nic on network '%s'", node, nic);
		return -ENOENT;
	}
	snprintf(err, errlen, "lab %s has no node '%s'", l->name, node);
	return -ENOENT;
}

/* The node's record object 'key', made when missing; NULL on -ENOMEM. */
static json_t *record_object(struct lab_node_run *n, const char *key, bool array)
{
	json_t *rec = node_record(n), *o = json_object_get(rec, key);

	if (o || !rec)
		return o;
	o = array ? json_array() : json_object();
	if (!o || json_object_set_new(rec, key, o) < 0)
		return NULL;
	return o;
}

int lab_live_set(struct lab *l, const char *node, const char *nic, const char *key,
		 const char *value, char *err, size_t errlen)
{
	struct lab_node_run *n;
	struct lab_impair imp;
	struct lab_nic *conf;
	char msg[256], text[24];
	json_t *impair, *o;
	size_t i;
	int r;

	r = find_nic(l, node, nic, &n, &i, err, errlen);
	if (r < 0)
		return r;
	conf = nic_conf(n, i);
	imp = conf->impair;
	r = lab_impair_set(&imp, key, value, msg, sizeof(msg));
	if (r == -ENOENT) {
		snprintf(err, errlen, "unknown impairment '%s' (rate, loss, delay or jitter)", key);
		return -EINVAL;
	}
	if (r < 0) {
		snprintf(err, errlen, "node %s: nic %s: %s", node, conf->network, msg);
		return r;
	}
	if (imp.jitter_usec && !imp.delay_usec) {
		snprintf(err, errlen, "node %s: nic %s: jitter needs a delay (set delay first)",
			 node, conf->network);
		return -EINVAL;
	}
	r = lab_impair_check(&imp, node, conf->network, err, errlen);
	if (r < 0)
		return r;
	/* the record first: a daemon killed after the change still knows of it */
	impair = record_object(n, "impair", false);
	o = impair ? json_object_get(impair, conf->network) : NULL;
	if (impair && !o) {
		o = json_object();
		if (o && json_object_set_new(impair, conf->network, o) < 0)
			o = NULL;
	}
	if (!o || !lab_impair_to_string(&imp, key, text, sizeof(text)) ||
	    json_object_set_new(o, key, json_string(text)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = nic_apply(n, &n->nics[i], &conf->impair, &imp, err, errlen);
	if (r < 0) {
		/* back to what the record said before */
		(void)lab_impair_to_string(&conf->impair, key, text, sizeof(text));
		(void)json_object_set_new(o, key, json_string(text));
		return r;
	}
	conf->impair = imp;
	(void)lab_state_save_record(l->m->state, l->name, l->record);
	lab_event(l, "node %s: nic %s: %s set to %s", node, conf->network, key, text);
	return 0;
}

int lab_live_link(struct lab *l, const char *node, const char *nic, bool up, char *err,
		  size_t errlen)
{
	struct lab_node_run *n;
	json_t *down, *v;
	size_t i, k;
	int ifindex, r;

	r = find_nic(l, node, nic, &n, &i, err, errlen);
	if (r < 0)
		return r;
	r = host_end(n, &n->nics[i], &ifindex, err, errlen);
	if (r < 0)
		return r;
	down = record_object(n, "link-down", true);
	if (!down) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	json_array_foreach(down, k, v)
		if (json_is_string(v) && strcmp(json_string_value(v), n->nics[i].conf->network) == 0)
			break;
	if (up && k < json_array_size(down))
		json_array_remove(down, k);
	else if (!up && k == json_array_size(down) &&
		 json_array_append_new(down, json_string(n->nics[i].conf->network)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	(void)lab_state_save_record(l->m->state, l->name, l->record);
	r = nl_link_set_up(l->m->nl, ifindex, up);
	if (r < 0) {
		snprintf(err, errlen, "node %s: nic %s: cannot set port %s %s: %s", node,
			 n->nics[i].conf->network, n->nics[i].host_ifname, up ? "up" : "down",
			 strerror(-r));
		return r;
	}
	lab_event(l, "node %s: nic %s: link %s", node, n->nics[i].conf->network,
		  up ? "up" : "down");
	return 0;
}

int lab_live_nic_json(const struct lab_nic_run *nic, json_t *o)
{
	const struct lab_node_run *n = nic->node;
	char text[24];

	const struct lab_impair *imp = &nic->conf->impair;
	const uint32_t set[] = { imp->rate_kbit, imp->loss, imp->delay_usec, imp->jitter_usec };

	for (size_t k = 0; k < ELEMENTSOF(impair_keys); k++) {
		const char *v = lab_impair_to_string(imp, impair_keys[k], text, sizeof(text));

		if (json_object_set_new(o, impair_keys[k],
					v && set[k] ? json_string(v) : json_null()) < 0)
			return -ENOMEM;
	}
	return json_object_set_new(o, "link",
				   json_string(link_down_listed(n, nic->conf->network) ? "down"
										       : "up"));
}
