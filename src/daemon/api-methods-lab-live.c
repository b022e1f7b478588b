/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lab.set and lab.link (docs/API.md): a running lab's nic changed live (lab/lab-live.h). The lab
 * by "name" or by its file ("text", "file"), as lab.status; the nic by "node" and "nic" (the
 * network's name, or ethN). Both return the lab's status without its progress lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/api-methods-internal.h"
#include "daemon/lab/lab-engine.h"
#include "daemon/lab/lab-live.h"
#include "daemon/manager-core.h"

static int lab_and_nic(struct manager *m, json_t *params, struct lab **l, const char **node,
		       const char **nic, char *err, size_t errlen)
{
	int r = api_param_string(params, "node", node, err, errlen);

	if (r >= 0)
		r = api_param_string(params, "nic", nic, err, errlen);
	if (r >= 0)
		r = api_param_lab(m, params, l, err, errlen);
	return r;
}

static int status(struct lab *l, json_t **ret)
{
	*ret = lab_engine_status_json(l, l->n_events);
	return *ret ? 0 : -ENOMEM;
}

int api_method_lab_set(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	const char *node, *nic, *key, *value;
	struct lab *l;
	int r;

	r = lab_and_nic(m, params, &l, &node, &nic, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "key", &key, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "value", &value, err, errlen);
	if (r >= 0)
		r = lab_live_set(l, node, nic, key, value, err, errlen);
	return r < 0 ? r : status(l, ret);
}

int api_method_lab_link(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	const char *node, *nic, *state;
	struct lab *l;
	int r;

	r = lab_and_nic(m, params, &l, &node, &nic, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "state", &state, err, errlen);
	if (r >= 0 && strcmp(state, "up") != 0 && strcmp(state, "down") != 0) {
		snprintf(err, errlen, "invalid link state '%s' (up or down)", state);
		r = -EINVAL;
	}
	if (r >= 0)
		r = lab_live_link(l, node, nic, strcmp(state, "up") == 0, err, errlen);
	return r < 0 ? r : status(l, ret);
}
