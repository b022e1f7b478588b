/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'kvmnet doctor [NET] [--fix]': names the rules of other firewalls that drop guest traffic, one
 * line each; exits 0 when there are none, 1 when there are (after --fix: when some are left).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"

int cmd_doctor(struct cli *cli, int argc, char **argv)
{
	const char *net = NULL;
	bool fix = false;
	json_t *result = NULL, *f, *findings;
	size_t i, n;
	int r;

	for (int k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--fix") == 0)
			fix = true;
		else if (argv[k][0] == '-' || net)
			return cli_usage_error("usage: doctor [NET] [--fix]");
		else
			net = argv[k];
	}
	r = cli_call_take(cli, fix ? "doctor.fix" : "doctor.check",
			  json_pack("{s:s?}", "network", net), &result);
	if (r != 0)
		return r;
	findings = json_object_get(result, "findings");
	n = json_array_size(findings);
	if (cli->json)
		output_json(result);
	else {
		if (fix)
			printf("Added %d accept rule(s)\n",
			       (int)json_integer_value(json_object_get(result, "added")));
		json_array_foreach(findings, i, f)
			printf("%s\n", json_string_value(json_object_get(f, "message")));
	}
	json_decref(result);
	return n ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
