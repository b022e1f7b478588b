/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The labs the daemon runs: up, down, progress, adoption after a restart (lab-engine.h). */
#include "daemon/lab/lab-engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lab/lab-impair.h"
#include "daemon/lab/lab-live.h"
#include "daemon/lab/lab-net.h"
#include "daemon/lab/lab-plan.h"
#include "daemon/lab/lab-state.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "event/event.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"
#include "shared/log.h"

static const struct lab_port_ref *port_ref_find(const struct lab_engine *e, const char *name);

/* The manager's port_lab hook (manager-core.h): port-service asks whose port 'port' is. */
static const char *engine_port_lab(const struct manager *m, const char *port,
				   const char **ret_node)
{
	const struct lab_port_ref *r = port_ref_find(m->labs, port);

	if (r && ret_node)
		*ret_node = r->node;
	return r ? r->lab->name : NULL;
}

int lab_engine_new(struct manager *m, const char *netns_dir, struct lab_engine **ret)
{
	struct lab_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->m = m;
	e->netns_dir = netns_dir;
	m->hooks.port_lab = engine_port_lab;
	*ret = e;
	return 0;
}

static int port_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lab_port_ref *)a)->name, ((const struct lab_port_ref *)b)->name);
}

static const struct lab_port_ref *port_ref_find(const struct lab_engine *e, const char *name)
{
	struct lab_port_ref key = { 0 };

	if (!e || !e->n_ports || strlen(name) >= sizeof(key.name))
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, e->ports, e->n_ports, sizeof(*e->ports), port_ref_cmp);
}

const struct lab *lab_engine_port_owner(const struct lab_engine *e, const char *name)
{
	const struct lab_port_ref *r = port_ref_find(e, name);

	return r ? r->lab : NULL;
}

const char *lab_engine_port_node(const struct lab_engine *e, const char *name)
{
	const struct lab_port_ref *r = port_ref_find(e, name);

	return r ? r->node : NULL;
}

/* Adds the host ports of 'l' to the index (sorted once: O(ports log ports)). */
static int ports_index(struct lab_engine *e, struct lab *l)
{
	size_t n = 0;
	struct lab_port_ref *a;

	for (size_t i = 0; i < l->config.n_nodes; i++)
		n += l->nodes[i].n_nics;
	a = realloc(e->ports, (e->n_ports + n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	e->ports = a;
	for (size_t i = 0; i < l->config.n_nodes; i++)
		for (size_t k = 0; k < l->nodes[i].n_nics; k++) {
			struct lab_port_ref *r = &e->ports[e->n_ports++];

			snprintf(r->name, sizeof(r->name), "%s", l->nodes[i].nics[k].host_ifname);
			r->lab = l;
			r->node = l->nodes[i].conf->name;
		}
	qsort(e->ports, e->n_ports, sizeof(*e->ports), port_ref_cmp);
	return 0;
}

static void ports_unindex(struct lab_engine *e, const struct lab *l)
{
	size_t k = 0;

	for (size_t i = 0; i < e->n_ports; i++)
		if (e->ports[i].lab != l)
			e->ports[k++] = e->ports[i];
	e->n_ports = k;
}

/* Frees 'l' and what it holds in the daemon; the kernel is not touched. */
static void lab_free(struct lab *l)
{
	if (!l)
		return;
	ports_unindex(l->engine, l);
	lab_checks_stop(l);
	for (size_t i = 0; l->nodes && i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];

		if (n->ops && n->ops->release)
			n->ops->release(n);
		n->ns_fd = safe_close(n->ns_fd);
	}
	event_source_free(l->timeout);
	event_source_free(l->step);
	for (size_t i = 0; i < l->n_events; i++)
		free(l->events[i]);
	free(l->events);
	json_decref(l->record);
	free(l->nodes);
	free(l->checks);
	free(l->text);
	free(l->file);
	free(l->dir);
	lab_config_done(&l->config);
	free(l);
}

struct lab_engine *lab_engine_free(struct lab_engine *e)
{
	if (!e)
		return NULL;
	for (size_t i = 0; i < e->n_labs; i++)
		lab_free(e->labs[i]);
	free(e->labs);
	free(e->ports);
	free(e);
	return NULL;
}

struct lab *lab_engine_find(struct lab_engine *e, const char *name)
{
	for (size_t i = 0; e && i < e->n_labs; i++)
		if (strcmp(e->labs[i]->name, name) == 0)
			return e->labs[i];
	return NULL;
}

static void engine_forget(struct lab_engine *e, struct lab *l)
{
	for (size_t i = 0; i < e->n_labs; i++)
		if (e->labs[i] == l) {
			memmove(&e->labs[i], &e->labs[i + 1], (e->n_labs - i - 1) * sizeof(*e->labs));
			e->n_labs--;
			return;
		}
}

static int engine_add(struct lab_engine *e, struct lab *l)
{
	struct lab **labs;

	if (e->n_labs >= LAB_ENGINE_LABS_MAX)
		return -E2BIG;
	labs = realloc(e->labs, (e->n_labs + 1) * sizeof(*labs));
	if (!labs)
		return -ENOMEM;
	e->labs = labs;
	e->labs[e->n_labs++] = l;
	return 0;
}

/* The lab in memory, its nodes named (namespaces, ports, MACs) but nothing made. */
static int lab_new(struct lab_engine *e, const char *text, size_t len, const char *file,
		   const char *dir, struct lab_config *c, struct lab **ret)
{
	struct lab *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->engine = e;
	l->m = e->m;
	l->config = *c;
	*c = (struct lab_config){ 0 };
	snprintf(l->name, sizeof(l->name), "%s", l->config.name);
	l->text = malloc(len + 1);
	l->file = file ? strdup(file) : NULL;
	l->dir = dir ? strdup(dir) : NULL;
	l->nodes = calloc(l->config.n_nodes ? l->config.n_nodes : 1, sizeof(*l->nodes));
	l->checks = calloc(l->config.n_checks ? l->config.n_checks : 1, sizeof(*l->checks));
	if (!l->text || (file && !l->file) || (dir && !l->dir) || !l->nodes || !l->checks) {
		lab_free(l);
		return -ENOMEM;
	}
	memcpy(l->text, text, len);
	l->text[len] = '\0';
	l->len = len;
	for (size_t i = 0; i < l->config.n_checks; i++) {
		l->checks[i].lab = l;
		l->checks[i].conf = &l->config.checks[i];
		l->checks[i].fd = -1;
	}
	for (size_t i = 0; i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];

		n->lab = l;
		n->conf = &l->config.nodes[i];
		n->ops = lab_node_ops_find(n->conf->kind);
		n->ns_fd = -1;
		n->state = LAB_NODE_STARTING;
		n->n_nics = n->conf->n_nics;
		lab_node_ns_name(l->name, n->conf->name, n->ns_name, sizeof(n->ns_name));
		for (size_t k = 0; k < n->n_nics; k++) {
			struct lab_nic_run *nic = &n->nics[k];

			nic->node = n;
			nic->conf = &n->conf->nics[k];
			snprintf(nic->ifname, sizeof(nic->ifname), "eth%u", (unsigned)(k % LAB_NODE_NICS_MAX));
			lab_node_host_ifname(l->name, n->conf->name, k, nic->host_ifname);
			lab_node_mac(l->name, n->conf->name, k, nic->mac);
		}
	}
	*ret = l;
	return 0;
}

static json_t *node_record(struct lab *l, const struct lab_node_run *n)
{
	return json_object_get(json_object_get(l->record, "nodes"), n->conf->name);
}

static int lab_save(struct lab *l)
{
	int r = lab_state_save_record(l->m->state, l->name, l->record);

	if (r < 0)
		log_error_errno(r, "Lab %s: cannot save its record: %m", l->name);
	return r;
}

/* The record of everything 'up' will make, before anything is made. */
static int lab_plan(struct lab *l)
{
	json_t *nets = json_array(), *nodes = json_object();

	l->record = json_pack("{s:s?, s:s?, s:o, s:o}", "file", l->file, "dir", l->dir, "networks",
			      nets ? nets : json_null(), "nodes", nodes ? nodes : json_null());
	if (!l->record || !nets || !nodes)
		return -ENOMEM;
	for (size_t i = 0; i < l->config.n_networks; i++)
		if (json_array_append_new(nets, json_string(l->config.networks[i].config.name)) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];
		json_t *rec = json_pack("{s:s}", "kind", lab_node_kind_to_string(n->conf->kind));
		int r;

		if (!rec || json_object_set_new(nodes, n->conf->name, rec) < 0)
			return -ENOMEM;
		r = n->ops->plan(n, rec);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Removes, in reverse, what the record lists: nodes, then networks, then the record. */
static void lab_undo(struct lab *l)
{
	json_t *nets = json_object_get(l->record, "networks");
	char err[512];

	lab_checks_stop(l);
	l->timeout = event_source_free(l->timeout);
	for (size_t i = l->config.n_nodes; i-- > 0;) {
		struct lab_node_run *n = &l->nodes[i];
		json_t *rec = node_record(l, n);

		lab_live_node_stop(n);
		if (n->ops && rec)
			n->ops->stop(n, rec);
		else if (n->ops && n->ops->release)
			n->ops->release(n);
	}
	for (size_t i = json_array_size(nets); i-- > 0;) {
		const char *name = json_string_value(json_array_get(nets, i));
		int r;

		if (!name)
			continue;
		r = lab_net_delete(l->m, name, err, sizeof(err));
		if (r < 0 && r != -ENOENT)
			log_error("Lab %s: cannot delete network %s: %s", l->name, name, err);
	}
	(void)lab_state_remove(l->m->state, l->name);
}

static void lab_fail(struct lab *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lab_fail(struct lab *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->error, sizeof(l->error), fmt, ap);
	va_end(ap);
	lab_event(l, "failed: %s; undoing what was made", l->error);
	lab_undo(l);
	l->state = LAB_FAILED;
	lab_event(l, "undone: nothing of the lab is left");
}

static bool node_addressed(const struct lab_node_run *n)
{
	for (size_t i = 0; i < n->n_nics; i++)
		if (!n->nics[i].has_addr)
			return false;
	return true;
}

static void node_announce(struct lab *l, struct lab_node_run *n)
{
	char line[400] = "", ip[INET_ADDRSTRLEN];
	size_t off = 0;

	for (size_t i = 0; i < n->n_nics && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s %s%s (%s)",
					i ? ", " : "", n->nics[i].ifname,
					n->nics[i].has_addr ? in_addr_to_string(n->nics[i].addr, ip)
							    : "-",
					n->nics[i].conf->has_ip ? "" : " by DHCP",
					n->nics[i].conf->network);
	lab_event(l, "node %s up in %llu ms: %s", n->conf->name,
		  (unsigned long long)((n->up_usec - n->started_usec) / 1000), line);
}

/* The leases of a node's DHCP nics, in its record (asked for again after a restart). */
static void record_leases(struct lab *l, struct lab_node_run *n)
{
	json_t *rec = node_record(l, n), *leases = json_object();
	char ip[INET_ADDRSTRLEN];

	if (!rec || !leases) {
		json_decref(leases);
		return;
	}
	for (size_t i = 0; i < n->n_nics; i++)
		if (!n->nics[i].conf->has_ip && n->nics[i].has_addr)
			json_object_set_new(leases, n->nics[i].ifname,
					    json_string(in_addr_to_string(n->nics[i].addr, ip)));
	json_object_set_new(rec, "leases", leases);
}

/* The next step once the nodes are up: the checks. */
static int on_step(struct event_source *s, void *data)
{
	struct lab *l = data;
	size_t up = 0;

	if (l->state != LAB_STARTING)
		return 0;
	for (size_t i = 0; i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];

		if (n->state == LAB_NODE_FAILED || n->state == LAB_NODE_GONE) {
			lab_fail(l, "node %s: %s", n->conf->name, n->error[0] ? n->error : "failed");
			return 0;
		}
		up += n->state == LAB_NODE_UP;
	}
	if (up < l->config.n_nodes)
		return 0;
	l->timeout = event_source_free(l->timeout);
	l->nodes_usec = now_usec();
	lab_event(l, "all %zu nodes up in %llu ms", l->config.n_nodes,
		  (unsigned long long)((l->nodes_usec - l->started_usec) / 1000));
	(void)lab_save(l);
	l->state = LAB_CHECKING;
	if (l->config.n_checks)
		lab_event(l, "running %zu checks", l->config.n_checks);
	lab_checks_start(l);
	return 0;
}

void lab_node_changed(struct lab_node_run *n)
{
	struct lab *l = n->lab;

	if (n->state == LAB_NODE_STARTING && node_addressed(n)) {
		n->state = LAB_NODE_UP;
		n->up_usec = now_usec();
		node_announce(l, n);
	}
	record_leases(l, n);
	if (l->state != LAB_STARTING)
		(void)lab_save(l);
	if (l->step)
		event_source_enable_defer(l->step);
}

static int on_timeout(struct event_source *s, uint64_t now, void *data)
{
	struct lab *l = data;
	char names[256] = "";
	size_t off = 0, late = 0;

	for (size_t i = 0; i < l->config.n_nodes; i++)
		if (l->nodes[i].state != LAB_NODE_UP) {
			late++;
			if (off < sizeof(names))
				off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
							off ? ", " : "", l->nodes[i].conf->name);
		}
	lab_fail(l, "%zu nodes not up (no address) after %llu s: %s", late,
		 (unsigned long long)(LAB_NODES_TIMEOUT_USEC / 1000000), names);
	return 0;
}

static void record_checks(struct lab *l)
{
	json_t *checks = json_object();

	for (size_t i = 0; checks && i < l->config.n_checks; i++) {
		const struct lab_check_run *c = &l->checks[i];

		json_object_set_new(checks, c->conf->name,
				    json_pack("{s:s, s:s, s:s, s:s}", "result",
					      lab_check_result_to_string(c->result), "observed",
					      c->observed, "detail", c->detail, "via", c->via));
	}
	if (checks)
		json_object_set_new(l->record, "checks", checks);
}

void lab_engine_checks_done(struct lab *l)
{
	size_t failed = 0;

	for (size_t i = 0; i < l->config.n_checks; i++)
		failed += l->checks[i].result != LAB_CHECK_PASSED;
	l->state = LAB_UP;
	l->up_usec = now_usec();
	record_checks(l);
	(void)lab_save(l);
	lab_event(l, "lab %s up in %llu ms: %zu nodes, %zu networks, %zu of %zu checks passed",
		  l->name, (unsigned long long)((l->up_usec - l->started_usec) / 1000),
		  l->config.n_nodes, l->config.n_networks, l->config.n_checks - failed,
		  l->config.n_checks);
}

/* The lab name a file gives, and its parsed config, without the host checks. */
static int lab_peek(const char *text, size_t len, const char *file, struct lab_config *c, char *err,
		    size_t errlen)
{
	char name[LAB_NAME_MAX + 1] = "";

	if (file)
		lab_name_from_path(file, name);
	return lab_config_parse(text, len, file ? name : NULL, c, err, errlen);
}

static int lab_kinds_check(const struct lab_config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (!lab_node_ops_find(c->nodes[i].kind)) {
			snprintf(err, errlen, "line %d: node %s: kind %s is not supported by this "
				 "kvmnetd (use kind = netns)", c->nodes[i].line, c->nodes[i].name,
				 lab_node_kind_to_string(c->nodes[i].kind));
			return -EOPNOTSUPP;
		}
	return 0;
}

int lab_engine_up(struct lab_engine *e, const char *text, size_t len, const char *file,
		  const char *dir, struct lab **ret, bool *ret_noop, char *err, size_t errlen)
{
	_cleanup_(lab_config_done) struct lab_config c = { 0 };
	struct lab *l, *old;
	int r;

	*ret_noop = false;
	r = lab_peek(text, len, file, &c, err, errlen);
	if (r < 0)
		return r;
	old = lab_engine_find(e, c.name);
	if (old && old->state != LAB_FAILED) {
		if (old->len == len && memcmp(old->text, text, len) == 0) {
			*ret = old;
			*ret_noop = true;
			return 0;
		}
		snprintf(err, errlen, "lab %s is up from another version of its file (lab down "
			 "first)", c.name);
		return -EEXIST;
	}
	lab_config_done(&c);
	r = lab_plan_validate(e->m, text, len, file, &c, err, errlen);
	if (r < 0)
		return r;
	r = lab_kinds_check(&c, err, errlen);
	if (r >= 0)
		r = lab_impair_check_lab(&c, err, errlen);
	if (r < 0)
		return r;
	if (!old && e->n_labs >= LAB_ENGINE_LABS_MAX) {
		snprintf(err, errlen, "too many labs (limit %d)", LAB_ENGINE_LABS_MAX);
		return -E2BIG;
	}
	r = lab_new(e, text, len, file, dir, &c, &l);
	if (r < 0)
		return r;
	l->started_usec = now_usec();
	r = ports_index(e, l);
	if (r >= 0)
		r = lab_plan(l);
	if (r < 0) {
		snprintf(err, errlen, "cannot plan the lab: %s", strerror(-r));
		lab_free(l);
		return r;
	}
	/* Durable before anything is made: the file, then the record of what will be. */
	r = lab_state_save_text(e->m->state, l->name, text, len);
	if (r >= 0)
		r = lab_save(l);
	if (r < 0) {
		snprintf(err, errlen, "cannot save the lab's record: %s", strerror(-r));
		(void)lab_state_remove(e->m->state, l->name);
		lab_free(l);
		return r;
	}
	for (size_t i = 0; i < l->config.n_networks; i++) {
		const struct lab_network *ln = &l->config.networks[i];
		char ip[IN_PREFIX_STRLEN];

		r = lab_net_create(e->m, &l->config, ln, err, errlen);
		if (r < 0)
			goto fail;
		lab_event(l, "network %s created: %s, %s on %s", ln->config.name,
			  network_mode_to_string(ln->config.mode),
			  in_prefix_to_string(&ln->config.subnet, ip), ln->config.bridge);
	}
	for (size_t i = 0; i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];
		char msg[512] = "";

		n->started_usec = now_usec();
		r = n->ops->start(n, node_record(l, n), msg, sizeof(msg));
		if (r >= 0)
			r = lab_live_node_start(n, msg, sizeof(msg));
		if (r < 0) {
			snprintf(err, errlen, "%s", msg[0] ? msg : strerror(-r));
			goto fail;
		}
		if (n->state == LAB_NODE_UP) {
			n->up_usec = now_usec();
			node_announce(l, n);
		} else
			lab_event(l, "node %s started, waiting for %s", n->conf->name,
				  n->conf->kind == LAB_NODE_NETNS ? "its DHCP leases" : "its guest");
	}
	r = event_add_defer(e->m->loop, on_step, l, &l->step);
	if (r >= 0)
		r = event_add_timer(e->m->loop, now_usec() + LAB_NODES_TIMEOUT_USEC, on_timeout, l,
				    &l->timeout);
	if (r >= 0)
		r = lab_save(l);
	if (r < 0) {
		snprintf(err, errlen, "cannot follow the lab: %s", strerror(-r));
		goto fail;
	}
	if (old) {
		engine_forget(e, old);
		lab_free(old);
	}
	r = engine_add(e, l);
	if (r < 0) {
		snprintf(err, errlen, "cannot keep the lab: %s", strerror(-r));
		goto fail;
	}
	l->state = LAB_STARTING;
	event_source_enable_defer(l->step);
	*ret = l;
	return 0;
fail:
	log_error("Lab %s: up failed: %s; undoing what was made", l->name, err);
	lab_undo(l);
	lab_free(l);
	return r;
}

int lab_engine_down(struct lab_engine *e, struct lab *l, char *err, size_t errlen)
{
	if (l->state != LAB_FAILED)
		lab_undo(l);
	log_info("Lab %s: down", l->name);
	engine_forget(e, l);
	lab_free(l);
	/* the last lab gone: so is the loss table (bridge kvmnet_lab) */
	if (e->n_labs == 0)
		(void)lab_impair_reset(e->m->fw);
	return 0;
}

/* ---- adoption after a restart ---- */

static void restore_checks(struct lab *l)
{
	json_t *checks = json_object_get(l->record, "checks");

	for (size_t i = 0; i < l->config.n_checks; i++) {
		struct lab_check_run *c = &l->checks[i];
		json_t *o = json_object_get(checks, c->conf->name);
		const char *res = json_string_value(json_object_get(o, "result"));

		if (!res)
			continue;
		c->result = strcmp(res, "passed") == 0 ? LAB_CHECK_PASSED : LAB_CHECK_FAILED;
		snprintf(c->observed, sizeof(c->observed), "%s",
			 json_string_value(json_object_get(o, "observed")) ?: "");
		snprintf(c->detail, sizeof(c->detail), "%s",
			 json_string_value(json_object_get(o, "detail")) ?: "");
		snprintf(c->via, sizeof(c->via), "%s",
			 json_string_value(json_object_get(o, "via")) ?: "");
	}
}

static int adopt_cb(const char *name, const char *text, size_t len, json_t *record, void *data)
{
	struct lab_engine *e = data;
	struct lab_config c = { 0 };
	const char *file = json_string_value(json_object_get(record, "file"));
	const char *dir = json_string_value(json_object_get(record, "dir"));
	char err[512];
	struct lab *l;
	size_t up = 0;
	int r;

	r = lab_peek(text, len, file, &c, err, sizeof(err));
	if (r < 0) {
		log_error("Lab '%s': its file no longer parses (%s); skipping it", name, err);
		return 0;
	}
	if (strcmp(c.name, name) != 0) {
		log_error("Lab '%s': its file names lab '%s'; skipping it", name, c.name);
		lab_config_done(&c);
		return 0;
	}
	r = lab_new(e, text, len, file, dir, &c, &l);
	if (r < 0) {
		lab_config_done(&c);
		return r;
	}
	l->record = json_incref(record);
	l->adopted = true;
	r = ports_index(e, l);
	if (r < 0) {
		lab_free(l);
		return r;
	}
	l->started_usec = now_usec();
	for (size_t i = 0; i < l->config.n_nodes; i++) {
		struct lab_node_run *n = &l->nodes[i];
		json_t *rec = node_record(l, n);

		if (!n->ops) {
			n->state = LAB_NODE_FAILED;
			snprintf(n->error, sizeof(n->error), "kind %s is not supported by this kvmnetd",
				 lab_node_kind_to_string(n->conf->kind));
			continue;
		}
		if (!rec) {
			n->state = LAB_NODE_GONE;
			snprintf(n->error, sizeof(n->error), "not in the lab's record");
			continue;
		}
		r = n->ops->adopt(n, rec, err, sizeof(err));
		if (r < 0) {
			n->state = LAB_NODE_FAILED;
			snprintf(n->error, sizeof(n->error), "%.200s", err);
		} else if (n->state != LAB_NODE_GONE)
			lab_live_node_adopt(n, rec);
		up += n->state == LAB_NODE_UP;
		if (n->state != LAB_NODE_UP)
			log_warning("Lab %s: node %s is %s after the restart%s%s", l->name,
				    n->conf->name, lab_node_state_to_string(n->state),
				    n->error[0] ? ": " : "", n->error);
	}
	restore_checks(l);
	l->state = LAB_UP;
	r = event_add_defer(e->m->loop, on_step, l, &l->step);
	if (r >= 0)
		r = engine_add(e, l);
	if (r < 0) {
		lab_free(l);
		return r;
	}
	lab_event(l, "taken back after a daemon restart: %zu of %zu nodes up", up,
		  l->config.n_nodes);
	return 0;
}

int lab_engine_startup(struct lab_engine *e)
{
	return lab_state_load(e->m->state, adopt_cb, e);
}

/* ---- JSON ---- */

static json_t *nic_json(const struct lab_nic_run *nic)
{
	char ip[INET_ADDRSTRLEN], mac[18];
	const uint8_t *a = nic->mac;

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4],
		 a[5]);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:b}", "network", nic->conf->network,
			      "ifname", nic->ifname, "port", nic->host_ifname, "mac", mac, "address",
			      nic->has_addr ? in_addr_to_string(nic->addr, ip) : NULL, "dhcp",
			      !nic->conf->has_ip);

	if (o && lab_live_nic_json(nic, o) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *node_json(const struct lab_node_run *n)
{
	json_t *nics = json_array(), *o;

	for (size_t i = 0; nics && i < n->n_nics; i++)
		json_array_append_new(nics, nic_json(&n->nics[i]));
	o = json_pack("{s:s, s:s, s:s, s:s?, s:o}", "name", n->conf->name, "kind",
		      lab_node_kind_to_string(n->conf->kind), "state",
		      lab_node_state_to_string(n->state), "error", n->error[0] ? n->error : NULL,
		      "nics", nics ? nics : json_null());
	if (o && n->ops && n->ops->to_json && n->ops->to_json(n, o) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *check_json(const struct lab_check_run *c)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s?, s:s?, s:s?}", "name", c->conf->name,
			 "from", c->conf->from, "to", c->conf->to, "port",
			 c->conf->port ? json_integer(c->conf->port) : json_null(), "expect",
			 lab_expect_to_string(c->conf->expect), "result",
			 lab_check_result_to_string(c->result), "observed",
			 c->observed[0] ? c->observed : NULL, "detail",
			 c->detail[0] ? c->detail : NULL, "via", c->via[0] ? c->via : NULL);
}

json_t *lab_engine_status_json(const struct lab *l, size_t since)
{
	json_t *nodes = json_array(), *nets = json_array(), *checks = json_array();
	json_t *events = json_array();
	size_t failed = 0;

	if (!nodes || !nets || !checks || !events)
		goto fail;
	for (size_t i = 0; l->state != LAB_FAILED && i < l->config.n_nodes; i++)
		json_array_append_new(nodes, node_json(&l->nodes[i]));
	for (size_t i = 0; l->state != LAB_FAILED && i < l->config.n_networks; i++) {
		const struct network_config *nc = &l->config.networks[i].config;
		const struct network *n = manager_find_network(l->m, nc->name);
		char subnet[IN_PREFIX_STRLEN], gw[INET_ADDRSTRLEN];

		json_array_append_new(
			nets, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name", nc->name, "mode",
					network_mode_to_string(nc->mode), "subnet",
					in_prefix_to_string(&nc->subnet, subnet), "gateway",
					in_addr_to_string(nc->gateway, gw), "bridge", nc->bridge,
					"state", n && n->active ? "active" : "missing"));
	}
	for (size_t i = 0; i < l->config.n_checks; i++) {
		json_array_append_new(checks, check_json(&l->checks[i]));
		failed += l->checks[i].result == LAB_CHECK_FAILED;
	}
	for (size_t i = since; i < l->n_events; i++)
		json_array_append_new(events, json_string(l->events[i]));
	return json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:o, s:o, s:I, s:o, s:I, s:{s:I, s:I}}",
			 "name", l->name, "state", lab_state_to_string(l->state), "error",
			 l->error[0] ? l->error : NULL, "file", l->file, "nodes", nodes,
			 "networks", nets, "checks", checks, "checks-failed", (json_int_t)failed,
			 "events", events, "next-event", (json_int_t)l->n_events, "figures",
			 "nodes-ms",
			 (json_int_t)(l->nodes_usec ? (l->nodes_usec - l->started_usec) / 1000 : 0),
			 "up-ms",
			 (json_int_t)(l->up_usec ? (l->up_usec - l->started_usec) / 1000 : 0));
fail:
	json_decref(nodes);
	json_decref(nets);
	json_decref(checks);
	json_decref(events);
	return NULL;
}
