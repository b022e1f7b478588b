/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lab.* methods (docs/API.md). lab.validate: a lab file checked as 'lab up' will check it,
 * against this host, with nothing created. lab.up: the lab brought up (the rest of it, DHCP
 * leases and checks, goes on from the event loop: follow it with lab.status and 'since').
 * lab.status, lab.down: by "name", or by the file's "text" (and "file", its base name).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/api-methods-internal.h"
#include "daemon/lab/lab-engine.h"
#include "daemon/lab/lab-plan.h"
#include "daemon/manager-core.h"

static int param_file(json_t *params, const char **ret, char *err, size_t errlen)
{
	json_t *file = json_object_get(params, "file");

	if (file && !json_is_string(file)) {
		snprintf(err, errlen, "parameter 'file' must be a string");
		return -EINVAL;
	}
	*ret = file ? json_string_value(file) : NULL;
	return 0;
}

int api_method_lab_validate(struct manager *m, json_t *params, json_t **ret, char *err,
			    size_t errlen)
{
	struct lab_config c;
	const char *text, *file;
	int r;

	r = api_param_string(params, "text", &text, err, errlen);
	if (r >= 0)
		r = param_file(params, &file, err, errlen);
	if (r < 0)
		return r;
	r = lab_plan_validate(m, text, json_string_length(json_object_get(params, "text")), file,
			      &c, err, errlen);
	if (r < 0)
		return r;
	*ret = lab_config_to_json(&c);
	lab_config_done(&c);
	return *ret ? 0 : -ENOMEM;
}

int api_method_lab_up(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	json_t *dir = json_object_get(params, "dir");
	const char *text, *file;
	struct lab *l;
	bool noop;
	int r;

	r = api_param_string(params, "text", &text, err, errlen);
	if (r >= 0)
		r = param_file(params, &file, err, errlen);
	if (r < 0)
		return r;
	if (dir && !json_is_string(dir)) {
		snprintf(err, errlen, "parameter 'dir' must be a string");
		return -EINVAL;
	}
	r = lab_engine_up(m->labs, text, json_string_length(json_object_get(params, "text")), file,
			  json_string_value(dir), &l, &noop, err, errlen);
	if (r < 0)
		return r;
	*ret = lab_engine_status_json(l, noop ? l->n_events : 0);
	if (*ret && json_object_set_new(*ret, "noop", json_boolean(noop)) < 0) {
		json_decref(*ret);
		*ret = NULL;
	}
	return *ret ? 0 : -ENOMEM;
}

/* The lab named by "name", or by the name its file ("text", "file") gives. */
int api_param_lab(struct manager *m, json_t *params, struct lab **ret, char *err, size_t errlen)
{
	json_t *name = json_object_get(params, "name");
	char buf[LAB_NAME_MAX + 1] = "";
	const char *n;

	if (name) {
		if (!json_is_string(name)) {
			snprintf(err, errlen, "parameter 'name' must be a string");
			return -EINVAL;
		}
		n = json_string_value(name);
	} else {
		struct lab_config c;
		const char *text, *file;
		int r = api_param_string(params, "text", &text, err, errlen);

		if (r >= 0)
			r = param_file(params, &file, err, errlen);
		if (r >= 0) {
			char def[LAB_NAME_MAX + 1] = "";

			if (file)
				lab_name_from_path(file, def);
			r = lab_config_parse(text, json_string_length(json_object_get(params, "text")),
					     file ? def : NULL, &c, err, errlen);
		}
		if (r < 0)
			return r;
		snprintf(buf, sizeof(buf), "%s", c.name);
		lab_config_done(&c);
		n = buf;
	}
	*ret = lab_engine_find(m->labs, n);
	if (!*ret) {
		snprintf(err, errlen, "lab '%s' is not up", n);
		return -ENOENT;
	}
	return 0;
}

int api_method_lab_status(struct manager *m, json_t *params, json_t **ret, char *err,
			  size_t errlen)
{
	json_t *since = json_object_get(params, "since");
	struct lab *l;
	int r;

	if (!json_object_get(params, "name") && !json_object_get(params, "text")) {
		/* every lab, without their progress lines */
		json_t *a = json_array();

		for (size_t i = 0; a && i < m->labs->n_labs; i++)
			json_array_append_new(a, lab_engine_status_json(m->labs->labs[i],
									m->labs->labs[i]->n_events));
		*ret = a ? json_pack("{s:o}", "labs", a) : NULL;
		return *ret ? 0 : -ENOMEM;
	}
	if (since && (!json_is_integer(since) || json_integer_value(since) < 0)) {
		snprintf(err, errlen, "parameter 'since' must be a number from 0");
		return -EINVAL;
	}
	r = api_param_lab(m, params, &l, err, errlen);
	if (r < 0)
		return r;
	*ret = lab_engine_status_json(l, since ? (size_t)json_integer_value(since) : 0);
	return *ret ? 0 : -ENOMEM;
}

int api_method_lab_down(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	char name[LAB_NAME_MAX + 1];
	size_t nodes, nets;
	struct lab *l;
	int r;

	r = api_param_lab(m, params, &l, err, errlen);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "%s", l->name);
	nodes = l->state == LAB_FAILED ? 0 : l->config.n_nodes;
	nets = l->state == LAB_FAILED ? 0 : l->config.n_networks;
	r = lab_engine_down(m->labs, l, err, errlen);
	if (r < 0)
		return r;
	*ret = json_pack("{s:s, s:I, s:I}", "name", name, "nodes", (json_int_t)nodes, "networks",
			 (json_int_t)nets);
	return *ret ? 0 : -ENOMEM;
}
