/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The port commands: 'port add', 'port remove', 'port list', 'port wait'. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	else if (json_is_string(json_object_get(result, "device")))
		/* a macvtap port: QEMU needs its node and its MAC */
		printf("%s %s %s\n", json_string_value(json_object_get(result, "name")),
		       json_string_value(json_object_get(result, "device")),
		       json_string_value(json_object_get(result, "mac")));
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

/* The port's IPv4 address in a 'port.list' result, or NULL (no such port: '*found' false). */
static const char *port_ip(json_t *ports, const char *name, bool *found)
{
	size_t i;
	json_t *p;

	json_array_foreach(ports, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (!n || strcmp(n, name) != 0)
			continue;
		*found = true;
		return json_string_value(json_object_get(p, "ip"));
	}
	return NULL;
}

/*
 * 'port wait NET IFNAME [--timeout S]': the guest's address as soon as the daemon knows it (a
 * lease or reservation of ours, or what it learned on a LAN network), polled every 200 ms.
 */
int cmd_port_wait(struct cli *cli, int argc, char **argv)
{
	double timeout = 60;
	struct timespec start, now;
	char *end;

	if (argc == 4 && strcmp(argv[2], "--timeout") == 0) {
		timeout = strtod(argv[3], &end);
		if (*end || end == argv[3] || !(timeout >= 0 && timeout <= 86400))
			return cli_usage_error("invalid --timeout '%s': seconds from 0 to 86400",
					       argv[3]);
	} else if (argc != 2)
		return cli_usage_error("usage: port wait NET IFNAME [--timeout SECONDS]");
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		json_t *result = NULL;
		const char *ip;
		bool found = false;
		int r = cli_call_take(cli, "port.list", json_pack("{s:s}", "network", argv[0]),
				      &result);

		if (r != 0)
			return r;
		ip = port_ip(result, argv[1], &found);
		if (!found) {
			json_decref(result);
			return cli_fail(cli, "port '%s' is not a port of network '%s'", argv[1],
					argv[0]);
		}
		if (ip) {
			if (cli->json) {
				json_t *o = json_pack("{s:s, s:s, s:s}", "name", argv[1], "network",
						      argv[0], "ip", ip);
				output_json(o);
				json_decref(o);
			} else
				printf("%s\n", ip);
			json_decref(result);
			return CLI_EXIT_OK;
		}
		json_decref(result);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - start.tv_sec) +
			    (double)(now.tv_nsec - start.tv_nsec) / 1e9 >= timeout)
			return cli_fail(cli, "port '%s' of network '%s': no IPv4 address known after "
					"%gs", argv[1], argv[0], timeout);
		nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	}
}
