/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lab commands (docs/LABS.md). 'lab validate FILE': the daemon checks the file as 'lab up'
 * will, against this host, and nothing is created; the CLI prints what the lab holds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"

#define CLI_LAB_FILE_MAX (4 * 1024 * 1024)

static const struct output_column network_columns[] = {
	{ "NETWORK", "name" }, { "MODE", "mode" }, { "SUBNET", "subnet" },
	{ "GATEWAY", "gateway" }, { "DHCP", "dhcp" },
};
static const struct output_column nic_columns[] = {
	{ "NODE", "node" },   { "KIND", "kind" },   { "NETWORK", "network" },
	{ "ADDRESS", "address" }, { "RATE", "rate" }, { "LOSS", "loss" },
	{ "DELAY", "delay" }, { "JITTER", "jitter" },
};
static const struct output_column check_columns[] = {
	{ "CHECK", "name" }, { "FROM", "from" }, { "TO", "to" }, { "PORT", "port" },
	{ "EXPECT", "expect" },
};

static const struct output_column forward_columns[] = {
	{ "FORWARD", "name" }, { "NETWORK", "network" }, { "PROTO", "proto" },
	{ "HOST-PORT", "host-port" }, { "HOST-ADDRESS", "host-address" }, { "TO", "to" },
	{ "TO-ADDRESS", "to-address" },
};

/* One row per nic: the node's name and kind, then the nic's fields ("dhcp" for no address). */
static json_t *nic_rows(json_t *nodes)
{
	json_t *rows = json_array(), *node, *nic;
	size_t i, k;

	json_array_foreach(nodes, i, node)
		json_array_foreach(json_object_get(node, "nics"), k, nic) {
			json_t *row = json_deep_copy(nic);

			if (!row || !rows)
				break;
			json_object_set(row, "node", json_object_get(node, "name"));
			json_object_set(row, "kind", json_object_get(node, "kind"));
			if (json_is_null(json_object_get(row, "address")))
				json_object_set_new(row, "address", json_string("dhcp"));
			json_array_append_new(rows, row);
		}
	return rows;
}

/* Reads FILE and sends it to 'method' with its base name; the result in '*ret'. */
static int lab_call(struct cli *cli, const char *method, const char *path, json_t **ret)
{
	_cleanup_free_ char *text = NULL;
	const char *base = strrchr(path, '/');
	json_t *params;
	size_t len;
	int r;

	r = read_file(path, CLI_LAB_FILE_MAX, &text, &len);
	if (r < 0)
		return cli_fail(cli, "cannot read '%s': %s", path,
				r == -E2BIG ? "larger than 4 MiB" : strerror(-r));
	if (strlen(text) != len)
		return cli_fail(cli, "'%s' contains a NUL byte", path);
	params = json_pack("{s:s, s:s}", "text", text, "file", base ? base + 1 : path);
	if (!params)
		return cli_fail(cli, "'%s' is not valid UTF-8 text", path);
	return cli_call_take(cli, method, params, ret);
}

int cmd_lab_validate(struct cli *cli, int argc, char **argv)
{
	json_t *result = NULL, *rows;
	int r;

	if (argc != 1)
		return cli_usage_error("usage: lab validate FILE");
	r = lab_call(cli, "lab.validate", argv[0], &result);
	if (r != 0)
		return r;
	if (cli->json) {
		output_json(result);
		json_decref(result);
		return CLI_EXIT_OK;
	}
	printf("Lab %s is valid on this host: %zu networks, %zu nodes, %zu checks, %zu forwards\n\n",
	       json_string_value(json_object_get(result, "name")),
	       json_array_size(json_object_get(result, "networks")),
	       json_array_size(json_object_get(result, "nodes")),
	       json_array_size(json_object_get(result, "checks")),
	       json_array_size(json_object_get(result, "forwards")));
	output_table(network_columns, ELEMENTSOF(network_columns),
		     json_object_get(result, "networks"), false);
	rows = nic_rows(json_object_get(result, "nodes"));
	if (rows) {
		putchar('\n');
		output_table(nic_columns, ELEMENTSOF(nic_columns), rows, false);
		json_decref(rows);
	}
	if (json_array_size(json_object_get(result, "checks")) > 0) {
		putchar('\n');
		output_table(check_columns, ELEMENTSOF(check_columns),
			     json_object_get(result, "checks"), false);
	}
	if (json_array_size(json_object_get(result, "forwards")) > 0) {
		putchar('\n');
		output_table(forward_columns, ELEMENTSOF(forward_columns),
			     json_object_get(result, "forwards"), false);
	}
	json_decref(result);
	return CLI_EXIT_OK;
}
