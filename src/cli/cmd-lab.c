/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lab commands (docs/LABS.md). 'lab validate FILE': the daemon checks the file as 'lab up'
 * will, against this host, and nothing is created; the CLI prints what the lab holds. 'lab up
 * FILE': the daemon brings it up; the CLI follows its progress lines (lab.status with 'since')
 * until it is up or failed, then prints its nodes, networks and checks. 'lab status FILE',
 * 'lab down FILE'.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Reads FILE and sends it to 'method' with its base name (and 'extra' params, taken; may be
 * NULL); the result in '*ret'. */
static int lab_call_extra(struct cli *cli, const char *method, const char *path, json_t *extra,
			  json_t **ret)
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
	if (!params) {
		json_decref(extra);
		return cli_fail(cli, "'%s' is not valid UTF-8 text", path);
	}
	if (extra) {
		json_object_update(params, extra);
		json_decref(extra);
	}
	return cli_call_take(cli, method, params, ret);
}

static int lab_call(struct cli *cli, const char *method, const char *path, json_t **ret)
{
	return lab_call_extra(cli, method, path, NULL, ret);
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

/* A nic's impairments and link as they are now: the file's, or what 'lab set'/'lab link' made. */
static const struct output_column node_columns[] = {
	{ "NODE", "node" },       { "KIND", "kind" },   { "STATE", "state" },
	{ "NIC", "ifname" },      { "NETWORK", "network" }, { "ADDRESS", "address" },
	{ "PORT", "port" },       { "LINK", "link" },   { "RATE", "rate" },
	{ "LOSS", "loss" },       { "DELAY", "delay" }, { "JITTER", "jitter" },
	{ "NAMESPACE", "namespace" },
};
static const struct output_column up_network_columns[] = {
	{ "NETWORK", "name" }, { "MODE", "mode" },     { "SUBNET", "subnet" },
	{ "GATEWAY", "gateway" }, { "BRIDGE", "bridge" }, { "STATE", "state" },
};
static const struct output_column result_columns[] = {
	{ "CHECK", "name" },     { "FROM", "from" },     { "TO", "to" },
	{ "PORT", "port" },      { "EXPECT", "expect" }, { "RESULT", "result" },
	{ "FOUND", "observed" }, { "DETAIL", "detail" },
};

/* One row per nic of a running node ("dhcp" for a DHCP nic still without its lease). */
static json_t *node_rows(json_t *nodes)
{
	json_t *rows = json_array(), *node, *nic;
	size_t i, k;

	json_array_foreach(nodes, i, node) {
		json_t *nics = json_object_get(node, "nics");

		json_array_foreach(nics, k, nic) {
			json_t *row = json_deep_copy(nic);

			if (!row || !rows)
				break;
			json_object_set(row, "node", json_object_get(node, "name"));
			json_object_set(row, "kind", json_object_get(node, "kind"));
			json_object_set(row, "state", json_object_get(node, "state"));
			json_object_set(row, "namespace", json_object_get(node, "namespace"));
			if (json_is_null(json_object_get(row, "address")) &&
			    json_is_true(json_object_get(row, "dhcp")))
				json_object_set_new(row, "address", json_string("dhcp"));
			json_array_append_new(rows, row);
		}
	}
	return rows;
}

static void print_events(json_t *status)
{
	json_t *ev;
	size_t i;

	json_array_foreach(json_object_get(status, "events"), i, ev)
		printf("  %s\n", json_string_value(ev));
	fflush(stdout);
}

/* The tables of a running lab; returns its exit status (1 if a check failed). */
static int print_lab(struct cli *cli, json_t *status)
{
	json_t *rows;
	json_int_t failed = json_integer_value(json_object_get(status, "checks-failed"));
	size_t n_checks = json_array_size(json_object_get(status, "checks"));

	if (cli->json) {
		output_json(status);
		return failed ? CLI_EXIT_FAILED : CLI_EXIT_OK;
	}
	printf("Lab %s: %s, %zu nodes, %zu networks", json_string_value(json_object_get(status, "name")),
	       json_string_value(json_object_get(status, "state")),
	       json_array_size(json_object_get(status, "nodes")),
	       json_array_size(json_object_get(status, "networks")));
	if (n_checks)
		printf(", %lld of %zu checks passed", (long long)(n_checks - (size_t)failed),
		       n_checks);
	printf("\n\n");
	rows = node_rows(json_object_get(status, "nodes"));
	if (rows) {
		output_table(node_columns, ELEMENTSOF(node_columns), rows, false);
		json_decref(rows);
	}
	putchar('\n');
	output_table(up_network_columns, ELEMENTSOF(up_network_columns),
		     json_object_get(status, "networks"), false);
	if (n_checks) {
		putchar('\n');
		output_table(result_columns, ELEMENTSOF(result_columns),
			     json_object_get(status, "checks"), false);
	}
	fflush(stdout);
	{
		json_t *node;
		size_t i, down = 0;

		json_array_foreach(json_object_get(status, "nodes"), i, node)
			down += strcmp(json_string_value(json_object_get(node, "state")), "up") != 0;
		if (down) {
			fprintf(stderr, "kvmnet: lab %s: %zu nodes are not up\n",
				json_string_value(json_object_get(status, "name")), down);
			return CLI_EXIT_FAILED;
		}
	}
	if (failed) {
		fprintf(stderr, "kvmnet: lab %s: %lld of %zu checks failed\n",
			json_string_value(json_object_get(status, "name")), (long long)failed,
			n_checks);
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

static bool lab_settled(json_t *status)
{
	const char *state = json_string_value(json_object_get(status, "state"));

	return state && (strcmp(state, "up") == 0 || strcmp(state, "failed") == 0);
}

int cmd_lab_up(struct cli *cli, int argc, char **argv)
{
	char dirbuf[PATH_MAX], real[PATH_MAX], *copy;
	json_t *status = NULL;
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	const char *name;
	int r;

	if (argc != 1)
		return cli_usage_error("usage: lab up FILE");
	copy = strdup(argv[0]);
	if (!copy)
		return cli_fail(cli, "out of memory");
	snprintf(dirbuf, sizeof(dirbuf), "%s", dirname(copy));
	free(copy);
	if (!realpath(dirbuf, real))
		snprintf(real, sizeof(real), "%s", dirbuf);
	r = lab_call_extra(cli, "lab.up", argv[0], json_pack("{s:s}", "dir", real), &status);
	if (r != 0)
		return r;
	name = json_string_value(json_object_get(status, "name"));
	if (json_is_true(json_object_get(status, "noop"))) {
		if (!cli->json)
			printf("Lab %s is already up from this file: nothing changed\n\n", name);
		r = print_lab(cli, status);
		json_decref(status);
		return r;
	}
	if (!cli->json)
		printf("Bringing up lab %s\n", name);
	for (;;) {
		json_int_t next = json_integer_value(json_object_get(status, "next-event"));
		json_t *st = NULL;
		char nbuf[64];

		if (!cli->json)
			print_events(status);
		if (lab_settled(status))
			break;
		nanosleep(&pause, NULL);
		snprintf(nbuf, sizeof(nbuf), "%s", name);
		r = cli_call_take(cli, "lab.status", json_pack("{s:s, s:I}", "name", nbuf, "since",
							       next), &st);
		if (r != 0) {
			json_decref(status);
			return r;
		}
		json_decref(status);
		status = st;
		name = json_string_value(json_object_get(status, "name"));
	}
	if (strcmp(json_string_value(json_object_get(status, "state")), "failed") == 0) {
		if (cli->json)
			output_json(status);
		r = cli_fail(cli, "%s", json_string_value(json_object_get(status, "error")));
		json_decref(status);
		return r;
	}
	if (!cli->json)
		putchar('\n');
	r = print_lab(cli, status);
	json_decref(status);
	return r;
}

int cmd_lab_status(struct cli *cli, int argc, char **argv)
{
	json_t *status = NULL;
	int r;

	if (argc != 1)
		return cli_usage_error("usage: lab status FILE");
	r = lab_call(cli, "lab.status", argv[0], &status);
	if (r != 0)
		return r;
	r = print_lab(cli, status);
	json_decref(status);
	return r;
}

int cmd_lab_down(struct cli *cli, int argc, char **argv)
{
	json_t *result = NULL;
	int r;

	if (argc != 1)
		return cli_usage_error("usage: lab down FILE");
	r = lab_call(cli, "lab.down", argv[0], &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Lab %s is down: %lld nodes and %lld networks removed\n",
		       json_string_value(json_object_get(result, "name")),
		       (long long)json_integer_value(json_object_get(result, "nodes")),
		       (long long)json_integer_value(json_object_get(result, "networks")));
	json_decref(result);
	return CLI_EXIT_OK;
}

/* "NODE:NIC" into the lab.set/lab.link parameters; NULL (after the usage error) when malformed. */
static json_t *nic_params(const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (!colon || colon == arg || !colon[1] || strchr(colon + 1, ':'))
		return NULL;
	return json_pack("{s:s%, s:s}", "node", arg, (size_t)(colon - arg), "nic", colon + 1);
}

/* 'lab set FILE NODE:NIC KEY=VALUE': an impairment of a running lab's nic, changed live. */
int cmd_lab_set(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	const char *eq;
	int r;

	if (argc != 3 || !(eq = strchr(argv[2], '=')) || eq == argv[2] ||
	    !(params = nic_params(argv[1])))
		return cli_usage_error("usage: lab set FILE NODE:NIC KEY=VALUE "
				       "(KEY: rate, loss, delay or jitter)");
	json_object_set_new(params, "key", json_stringn(argv[2], (size_t)(eq - argv[2])));
	json_object_set_new(params, "value", json_string(eq + 1));
	r = lab_call_extra(cli, "lab.set", argv[0], params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Lab %s: %s %.*s set to %s\n",
		       json_string_value(json_object_get(result, "name")), argv[1],
		       (int)(eq - argv[2]), argv[2], eq + 1);
	json_decref(result);
	return CLI_EXIT_OK;
}

/* 'lab link FILE NODE:NIC down|up': the nic's cable pulled or plugged back. */
int cmd_lab_link(struct cli *cli, int argc, char **argv)
{
	json_t *params, *result = NULL;
	int r;

	if (argc != 3 || (strcmp(argv[2], "up") != 0 && strcmp(argv[2], "down") != 0) ||
	    !(params = nic_params(argv[1])))
		return cli_usage_error("usage: lab link FILE NODE:NIC down|up");
	json_object_set_new(params, "state", json_string(argv[2]));
	r = lab_call_extra(cli, "lab.link", argv[0], params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Lab %s: %s link %s\n", json_string_value(json_object_get(result, "name")),
		       argv[1], argv[2]);
	json_decref(result);
	return CLI_EXIT_OK;
}
