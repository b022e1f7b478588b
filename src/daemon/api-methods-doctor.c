/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The doctor methods: doctor.check lists the namespace's whole ruleset once (a diagnostic, not a
 * per-network request) and reports, per network, what other tables would drop (fw-inspect.h);
 * doctor.fix inserts the narrowest accepts, commented "kvmnet-doctor:NAME", and records the
 * chains it wrote to in STATE/doctor/NAME ("FAMILY TABLE CHAIN" lines) so that net delete removes
 * exactly those rules, found again by their comment in just those chains.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/api-methods-internal.h"
#include "daemon/manager-core.h"
#include "daemon/network.h"
#include "daemon/state-dir.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-inspect.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/log.h"

#define DOCTOR_RECORD_MAX 65536

static void net_view(const struct network *n, struct fw_inspect_net *v)
{
	const struct network_config *c = &n->config;

	*v = (struct fw_inspect_net){
		.name = c->name, .bridge = c->bridge, .uplink = c->uplink, .subnet = c->subnet,
		.gateway = c->gateway,
		.forward = c->mode == NETWORK_MODE_NAT || c->mode == NETWORK_MODE_ROUTED,
		.routed = c->mode == NETWORK_MODE_ROUTED,
		.dhcp = c->dhcp && c->mode != NETWORK_MODE_OPEN,
		.dns = c->dns && c->mode != NETWORK_MODE_OPEN,
	};
}

static char *record_path(struct manager *m, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/doctor/%s", state_dir_path(m->state), name) < 0)
		return NULL;
	return p;
}

static int load_ruleset(struct manager *m, json_t **ret, char *err, size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	json_error_t je;
	int r = fw_list_json(m->fw, "list ruleset", &text);

	if (r < 0) {
		snprintf(err, errlen, "cannot list the ruleset: %s", strerror(-r));
		return r;
	}
	*ret = json_loads(text, 0, &je);
	if (!*ret) {
		snprintf(err, errlen, "cannot parse the ruleset listing: %s", je.text);
		return -EIO;
	}
	return 0;
}

static json_t *finding_to_json(const struct fw_finding *f, const struct fw_inspect_net *v)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (fw_finding_format(f, v, &sb) < 0)
		return NULL;
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:s?, s:s, s:s}", "network",
		      v->name, "family", f->family, "table", f->table, "chain", f->chain,
		      "rule-chain", f->rule_chain, "handle", (json_int_t)f->handle, "rule", f->text,
		      "flow", fw_flow_to_string(f->flow), "may", f->may, "owner", f->owner,
		      "fix-chain", f->fix_chain, "message", sb.buf);
	strbuf_done(&sb);
	return j;
}

/* The networks asked for: the one named by "network", or all. */
static int doctor_targets(struct manager *m, json_t *params, struct network ***ret, size_t *n,
			  struct network **one, char *err, size_t errlen)
{
	if (json_is_string(json_object_get(params, "network"))) {
		int r = api_param_network(m, params, "network", one, err, errlen);
		if (r < 0)
			return r;
		*ret = one;
		*n = 1;
		return 0;
	}
	*ret = m->networks;
	*n = m->n_networks;
	return 0;
}

static int doctor_check_into(struct manager *m, json_t *rs, struct network **nets, size_t n,
			     json_t *arr)
{
	for (size_t i = 0; i < n; i++) {
		struct fw_findings f = { 0 };
		struct fw_inspect_net v;
		int r;

		/* a macvtap network's frames never cross the host's hooks: nothing to inspect */
		if (!nets[i]->config.has_subnet)
			continue;
		net_view(nets[i], &v);
		r = fw_inspect(rs, &v, &f);
		for (size_t k = 0; r >= 0 && k < f.n; k++)
			if (json_array_append_new(arr, finding_to_json(&f.items[k], &v)) < 0)
				r = -ENOMEM;
		fw_findings_done(&f);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Loads the ruleset afresh and returns the findings for 'nets' as a new JSON array. */
static int doctor_findings(struct manager *m, struct network **nets, size_t n, json_t **ret_arr,
			   char *err, size_t errlen)
{
	json_t *rs = NULL, *arr;
	int r = load_ruleset(m, &rs, err, errlen);

	if (r < 0)
		return r;
	arr = json_array();
	r = arr ? doctor_check_into(m, rs, nets, n, arr) : -ENOMEM;
	json_decref(rs);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret_arr = arr;
	return 0;
}

static int api_method_doctor_check(struct manager *m, json_t *params, json_t **ret, char *err,
				   size_t errlen)
{
	struct network **nets, *one;
	json_t *arr;
	size_t n;
	int r = doctor_targets(m, params, &nets, &n, &one, err, errlen);

	if (r >= 0)
		r = doctor_findings(m, nets, n, &arr, err, errlen);
	if (r < 0)
		return r;
	*ret = json_pack("{s:o}", "findings", arr);
	return *ret ? 0 : -ENOMEM;
}

struct record {
	struct strbuf sb;
	const char *existing;
};

static int record_chain(const char *family, const char *table, const char *chain, void *data)
{
	struct record *rec = data;
	char line[256];

	snprintf(line, sizeof(line), "%s %s %s\n", family, table, chain);
	if ((rec->existing && strstr(rec->existing, line)) || (rec->sb.buf && strstr(rec->sb.buf, line)))
		return 0;
	return strbuf_append(&rec->sb, line);
}

static int doctor_fix_one(struct manager *m, json_t *rs, struct network *net, int *added,
			  char *err, size_t errlen)
{
	_cleanup_free_ char *path = record_path(m, net->config.name), *old = NULL, *fwerr = NULL;
	struct record rec = { .sb = STRBUF_INIT };
	struct strbuf script = STRBUF_INIT;
	struct fw_findings f = { 0 };
	struct fw_inspect_net v;
	size_t old_len = 0;
	int r;

	if (!path)
		return -ENOMEM;
	(void)read_file(path, DOCTOR_RECORD_MAX, &old, &old_len);
	rec.existing = old;
	net_view(net, &v);
	r = fw_inspect(rs, &v, &f);
	if (r >= 0)
		r = fw_inspect_render_fix(rs, &f, &v, &script, record_chain, &rec);
	fw_findings_done(&f);
	if (r > 0) {
		/* Record first: a rule must never exist that net delete would not look for. */
		_cleanup_free_ char *dir = NULL, *text = NULL;
		if (asprintf(&dir, "%s/doctor", state_dir_path(m->state)) < 0 ||
		    asprintf(&text, "%s%s", old ? old : "", rec.sb.buf ? rec.sb.buf : "") < 0)
			r = -ENOMEM;
		else if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			r = -errno;
		else
			r = write_file_atomic(path, text, strlen(text), 0600) < 0 ? -EIO : r;
		if (r > 0) {
			*added += r;
			r = fw_apply(m->fw, script.buf, &fwerr);
			if (r < 0)
				snprintf(err, errlen, "cannot add the accept rules for '%s': %s",
					 net->config.name, fwerr ? fwerr : "nft refused them");
			else
				log_info("Doctor added accept rules for network '%s':\n%s",
					 net->config.name, script.buf);
		} else if (r < 0)
			snprintf(err, errlen, "cannot record the fix of '%s': %s", net->config.name,
				 strerror(-r));
	}
	strbuf_done(&script);
	strbuf_done(&rec.sb);
	return r < 0 ? r : 0;
}

static int api_method_doctor_fix(struct manager *m, json_t *params, json_t **ret, char *err,
				 size_t errlen)
{
	struct network **nets, *one;
	json_t *rs = NULL, *arr;
	int added = 0;
	size_t n;
	int r = doctor_targets(m, params, &nets, &n, &one, err, errlen);

	if (r >= 0)
		r = load_ruleset(m, &rs, err, errlen);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = nets[i]->config.has_subnet ? doctor_fix_one(m, rs, nets[i], &added, err, errlen)
					       : 0;
	json_decref(rs);
	if (r < 0)
		return r;
	/* What is left after the fix (a "may" the fix could not address, say). */
	r = doctor_findings(m, nets, n, &arr, err, errlen);
	if (r < 0)
		return r;
	*ret = json_pack("{s:i, s:o}", "added", added, "findings", arr);
	return *ret ? 0 : -ENOMEM;
}

int api_doctor_network_deleted(struct manager *m, const char *name)
{
	_cleanup_free_ char *path = record_path(m, name), *text = NULL;
	struct strbuf script = STRBUF_INIT;
	size_t len = 0;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file(path, DOCTOR_RECORD_MAX, &text, &len);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *line = text, *next; line && *line; line = next) {
		char family[16], table[128], chain[128], cmd[300];
		_cleanup_free_ char *listing = NULL;
		json_t *j;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%15s %127s %127s", family, table, chain) != 3)
			continue;
		snprintf(cmd, sizeof(cmd), "list chain %s %s %s", family, table, chain);
		if (fw_list_json(m->fw, cmd, &listing) < 0)
			continue;       /* the chain is gone, and our rules with it */
		j = json_loads(listing, 0, NULL);
		if (j && fw_inspect_render_cleanup(j, name, &script) < 0)
			r = -ENOMEM;
		json_decref(j);
	}
	if (r >= 0 && script.len) {
		_cleanup_free_ char *fwerr = NULL;
		r = fw_apply(m->fw, script.buf, &fwerr);
		if (r < 0)
			log_warning("Failed to remove the doctor's rules of '%s': %s", name,
				    fwerr ? fwerr : "nft refused");
	}
	strbuf_done(&script);
	if (r >= 0)
		r = unlink_and_sync(path);
	return r == -ENOENT ? 0 : r;
}

int api_method_doctor(struct manager *m, const char *method, json_t *params, json_t **ret,
		      char *err, size_t errlen)
{
	if (strcmp(method, "doctor.check") == 0)
		return api_method_doctor_check(m, params, ret, err, errlen);
	return api_method_doctor_fix(m, params, ret, err, errlen);
}
