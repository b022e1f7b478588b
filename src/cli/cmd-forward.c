/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The port-forward commands: 'forward add', 'forward remove', 'forward list'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "shared/alloc-util.h"

static const struct output_column forward_columns[] = {
	{ "NETWORK", "network" },   { "NAME", "name" },     { "PROTO", "proto" },
	{ "HOST-PORT", "host-port" }, { "HOST-ADDRESS", "host-address" }, { "TO", "to" },
	{ "STATE", "state" },
};

/* Reads the options "--host-address ADDR" and "--name NAME" from argv[from..] into 'params'. */
static int forward_options(json_t *params, int argc, char **argv, int from, const char *cmd,
			   bool allow_name)
{
	for (int i = from; i < argc; i++) {
		const char *opt = argv[i];

		if (strcmp(opt, "--host-address") != 0 && !(allow_name && strcmp(opt, "--name") == 0))
			return cli_usage_error("unknown option '%s' for forward %s", opt, cmd);
		if (i + 1 >= argc)
			return cli_usage_error("option '%s' needs a value", opt);
		json_object_set_new(params, opt + 2, json_string(argv[++i]));
	}
	return 0;
}

int cmd_forward_add(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc < 4 || argv[0][0] == '-')
		return cli_usage_error("usage: forward add NET tcp|udp HOSTPORT[-HOSTPORT] "
				       "GUESTIP:PORT[-PORT] [--host-address ADDR] [--name NAME]");
	params = json_pack("{s:s, s:s, s:s, s:s}", "network", argv[0], "proto", argv[1],
			   "host-port", argv[2], "to", argv[3]);
	if (!params)
		return cli_fail(cli, "out of memory");
	r = forward_options(params, argc, argv, 4, "add", true);
	if (r != 0) {
		json_decref(params);
		return r;
	}
	r = cli_call_take(cli, "forward.add", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Forward %s added to network %s: %s %s -> %s\n",
		       json_string_value(json_object_get(result, "name")), argv[0], argv[1], argv[2],
		       json_string_value(json_object_get(result, "to")));
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_forward_remove(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc < 3 || argv[0][0] == '-')
		return cli_usage_error("usage: forward remove NET tcp|udp HOSTPORT "
				       "[--host-address ADDR]");
	params = json_pack("{s:s, s:s, s:s}", "network", argv[0], "proto", argv[1], "host-port",
			   argv[2]);
	if (!params)
		return cli_fail(cli, "out of memory");
	r = forward_options(params, argc, argv, 3, "remove", false);
	if (r != 0) {
		json_decref(params);
		return r;
	}
	r = cli_call_take(cli, "forward.remove", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Forward %s removed from network %s\n",
		       json_string_value(json_object_get(result, "name")), argv[0]);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_forward_list(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc > 1)
		return cli_usage_error("usage: forward list [NET]");
	params = json_pack("{s:s?}", "network", argc == 1 ? argv[0] : NULL);
	r = cli_call_take(cli, "forward.list", params, &result);
	if (r != 0)
		return r;
	output_table(forward_columns, ELEMENTSOF(forward_columns), result, cli->json);
	json_decref(result);
	return CLI_EXIT_OK;
}
