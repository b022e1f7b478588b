/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCP commands: 'host add|remove|list' (reservations) and 'lease list'. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "shared/alloc-util.h"

static const struct output_column host_columns[] = {
	{ "MAC", "mac" },
	{ "IP", "ip" },
	{ "HOSTNAME", "hostname" },
};

static const struct output_column lease_columns[] = {
	{ "NETWORK", "network" }, { "MAC", "mac" },         { "IP", "ip" },
	{ "HOSTNAME", "hostname" }, { "EXPIRES", "expires-at" }, { "STATE", "state" },
};

int cmd_host_add(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc < 3 || argc > 4)
		return cli_usage_error("usage: host add NET MAC IP [HOSTNAME]");
	params = json_pack("{s:s, s:s, s:s, s:s?}", "network", argv[0], "mac", argv[1], "ip",
			   argv[2], "hostname", argc == 4 ? argv[3] : NULL);
	r = cli_call_take(cli, "host.add", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Reservation %s -> %s added to network %s\n", argv[1], argv[2], argv[0]);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_host_remove(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc != 2)
		return cli_usage_error("usage: host remove NET MAC");
	params = json_pack("{s:s, s:s}", "network", argv[0], "mac", argv[1]);
	r = cli_call_take(cli, "host.remove", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Reservation for %s removed from network %s\n", argv[1], argv[0]);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_host_list(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc != 1)
		return cli_usage_error("usage: host list NET");
	params = json_pack("{s:s}", "network", argv[0]);
	r = cli_call_take(cli, "host.list", params, &result);
	if (r != 0)
		return r;
	output_table(host_columns, ELEMENTSOF(host_columns), result, cli->json);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_lease_list(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL, *lease;
	bool all = false;
	const char *net = NULL;
	size_t i;
	int r;

	for (int k = 0; k < argc; k++) {
		if (strcmp(argv[k], "--all") == 0)
			all = true;
		else if (!net && argv[k][0] != '-')
			net = argv[k];
		else
			return cli_usage_error("usage: lease list [NET] [--all]");
	}
	params = json_pack("{s:s?, s:b}", "network", net, "all", all);
	r = cli_call_take(cli, "lease.list", params, &result);
	if (r != 0)
		return r;
	if (!cli->json)
		/* People read local times; programs get Unix seconds in 'expires'. */
		json_array_foreach(result, i, lease) {
			char buf[32];
			time_t t = (time_t)json_integer_value(json_object_get(lease, "expires"));
			struct tm tm;
			strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
			json_object_set_new(lease, "expires-at", json_string(buf));
			if (!json_string_length(json_object_get(lease, "hostname")))
				json_object_set_new(lease, "hostname", json_null());
		}
	output_table(lease_columns, ELEMENTSOF(lease_columns), result, cli->json);
	json_decref(result);
	return CLI_EXIT_OK;
}
