/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lab.* methods (docs/API.md). lab.validate: a lab file checked as 'lab up' will check it,
 * against this host, with nothing created.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/api-methods-internal.h"
#include "daemon/lab/lab-plan.h"

int api_method_lab_validate(struct manager *m, json_t *params, json_t **ret, char *err,
			    size_t errlen)
{
	struct lab_config c;
	const char *text;
	json_t *file = json_object_get(params, "file");
	int r;

	r = api_param_string(params, "text", &text, err, errlen);
	if (r < 0)
		return r;
	if (file && !json_is_string(file)) {
		snprintf(err, errlen, "parameter 'file' must be a string");
		return -EINVAL;
	}
	r = lab_plan_validate(m, text, json_string_length(json_object_get(params, "text")), file ? json_string_value(file) : NULL, &c,
			      err, errlen);
	if (r < 0)
		return r;
	*ret = lab_config_to_json(&c);
	lab_config_done(&c);
	return *ret ? 0 : -ENOMEM;
}
