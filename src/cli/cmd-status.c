/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 'status' and 'version'. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/output.h"

int cmd_status(struct cli *cli, int argc, char **argv)
{
	json_t *result = NULL;
	int r;

	if (argc != 0)
		return cli_usage_error("'status' takes no arguments");
	r = cli_call(cli, "status", NULL, &result);
	if (r != 0)
		return r;
	output_object(result, cli->json);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	json_t *result = NULL, *out;

	if (argc != 0)
		return cli_usage_error("'version' takes no arguments");
	/* The client's version always; the daemon's when it answers. */
	if (cli_call(cli, "version", NULL, &result) != 0)
		result = NULL;
	out = json_pack("{s:s, s:O?}", "client", KVMNET_VERSION, "daemon", result);
	if (cli->json)
		output_json(out);
	else if (result)
		printf("kvmnet %s (kvmnetd %s, API %lld)\n", KVMNET_VERSION,
		       json_string_value(json_object_get(result, "version")),
		       (long long)json_integer_value(json_object_get(result, "api")));
	else
		printf("kvmnet %s (kvmnetd not reachable)\n", KVMNET_VERSION);
	json_decref(out);
	json_decref(result);
	return CLI_EXIT_OK;
}
