/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The port commands: 'port add', 'port remove', 'port list'. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "shared/alloc-util.h"

static const struct output_column port_columns[] = {
	{ "NAME", "name" },          { "NETWORK", "network" },    { "ORIGIN", "origin" },
	{ "MAC", "mac" },            { "IP", "ip" },              { "STATE", "state" },
	{ "RX-PKTS", "rx-packets" }, { "RX-BYTES", "rx-bytes" },  { "TX-PKTS", "tx-packets" },
	{ "TX-BYTES", "tx-bytes" },  { "DROPPED", "dropped" },    { "RATE", "rate" },
};

int cmd_port_add(struct cli *cli, int argc, char **argv)
{
	static const char *const options[] = { "--name", "--mac", "--owner", "--queues", "--rate" };
	json_t *params, *result = NULL;
	int r;

	if (argc < 1 || argv[0][0] == '-')
		return cli_usage_error("usage: port add NET [--name IFNAME] [--mac MAC] "
				       "[--owner UID|USER] [--queues N] [--rate MBIT]");
	params = json_pack("{s:s}", "network", argv[0]);
	if (!params)
		return cli_fail(cli, "out of memory");
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *value = NULL;
		char uid[16];
		size_t k;

		for (k = 0; k < ELEMENTSOF(options); k++)
			if (strcmp(opt, options[k]) == 0)
				break;
		if (k == ELEMENTSOF(options)) {
			json_decref(params);
			return cli_usage_error("unknown option '%s' for port add", opt);
		}
		if (i + 1 >= argc) {
			json_decref(params);
			return cli_usage_error("option '%s' needs a value", opt);
		}
		value = argv[++i];
		/* --owner takes a user name too: resolved here, where the name means something */
		if (strcmp(opt, "--owner") == 0 && value[0] && strspn(value, "0123456789") != strlen(value)) {
			struct passwd *pw = getpwnam(value);
			if (!pw) {
				json_decref(params);
				return cli_fail(cli, "invalid owner '%s': no such user", value);
			}
			snprintf(uid, sizeof(uid), "%u", (unsigned)pw->pw_uid);
			value = uid;
		}
		json_object_set_new(params, opt + 2, json_string(value));
	}
	r = cli_call_take(cli, "port.add", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("%s\n", json_string_value(json_object_get(result, "name")));
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_port_remove(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc < 1 || argc > 2)
		return cli_usage_error("usage: port remove [NET] NAME");
	params = json_pack("{s:s, s:s?}", "name", argv[argc - 1], "network",
			   argc == 2 ? argv[0] : NULL);
	r = cli_call_take(cli, "port.remove", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Port %s removed from network %s\n", argv[argc - 1],
		       json_string_value(json_object_get(result, "network")));
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_port_list(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc > 1)
		return cli_usage_error("usage: port list [NET]");
	params = json_pack("{s:s?}", "network", argc == 1 ? argv[0] : NULL);
	r = cli_call_take(cli, "port.list", params, &result);
	if (r != 0)
		return r;
	output_table(port_columns, ELEMENTSOF(port_columns), result, cli->json);
	json_decref(result);
	return CLI_EXIT_OK;
}
