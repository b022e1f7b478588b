/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The 'net' commands: each builds its request, calls kvmnetd and prints the result. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"

#define CLI_DEFINITION_MAX (8 * 1024 * 1024)

static const struct output_column net_columns[] = {
	{ "NAME", "name" },     { "MODE", "mode" },     { "STATE", "state" },
	{ "BRIDGE", "bridge" }, { "SUBNET", "subnet" }, { "GATEWAY", "gateway" },
};

/* Flags of 'net create' and the definition keys they set. */
static const struct {
	const char *flag, *key, *fixed;   /* 'fixed' = the value of a flag taking no argument */
} create_flags[] = {
	{ "--mode", "mode", NULL },     { "--subnet", "subnet", NULL },
	{ "--dhcp-range", "dhcp-range", NULL }, { "--domain", "domain", NULL },
	{ "--mtu", "mtu", NULL },       { "--bridge", "bridge", NULL },
	{ "--uplink", "uplink", NULL }, { "--no-dhcp", "dhcp", "no" },
	{ "--no-dns", "dns", "no" },    { "--autostart", "autostart", "yes" },
	{ "--lease-time", "lease-time", NULL }, { "--dhcp-routes", "dhcp-routes", NULL },
	{ "--dhcp-leases-per-port", "dhcp-leases-per-port", NULL },
	{ "--dns-forwarders", "dns-forwarders", NULL },
	{ "--isolate-ports", "isolate-ports", "yes" }, { "--port-security", "port-security", NULL },
	{ "--allow-attach", "allow-attach", NULL },
	{ "--macvtap-mode", "macvtap-mode", NULL },
	{ "--overlay", "overlay", NULL }, { "--vni", "vni", NULL }, { "--peers", "peers", NULL },
	{ "--local", "local", NULL },   { "--port", "vxlan-port", NULL },
	{ "--vxlan-port", "vxlan-port", NULL }, { "--gateway", "gateway", NULL },
	{ "--dhcp", "dhcp", NULL },
	{ "--subnet6", "subnet6", NULL }, { "--ra-mode", "ra-mode", NULL },
	{ "--nat6", "nat6", NULL },     { "--tenant", "tenant", NULL },
	{ "--dhcp6-range", "dhcp6-range", NULL },
};

/* Requires exactly one NAME argument; builds {"name": NAME}. */
static int net_name_params(int argc, char **argv, const char *cmd, json_t **ret)
{
	if (argc != 1)
		return cli_usage_error("'net %s' takes exactly one network name", cmd);
	*ret = json_pack("{s:s}", "name", argv[0]);
	return *ret ? 0 : cli_usage_error("out of memory");
}

/* Calls 'method' with the name and prints the returned network. */
static int net_simple(struct cli *cli, int argc, char **argv, const char *cmd, const char *method,
		      const char *done)
{
	json_t *params = NULL, *result = NULL;
	int r = net_name_params(argc, argv, cmd, &params);

	if (r != 0)
		return r;
	r = cli_call(cli, method, params, &result);
	json_decref(params);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else if (done)
		printf("Network %s %s\n", argv[0], done);
	else
		output_object(result, false);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_net_create(struct cli *cli, int argc, char **argv)
{
	json_t *config = json_object(), *params, *result = NULL;
	const char *name = NULL;
	int r;

	if (!config)
		return cli_fail(cli, "out of memory");
	for (int i = 0; i < argc; i++) {
		size_t k;
		if (argv[i][0] != '-') {
			if (name) {
				json_decref(config);
				return cli_usage_error("unexpected argument '%s'", argv[i]);
			}
			name = argv[i];
			continue;
		}
		for (k = 0; k < ELEMENTSOF(create_flags); k++)
			if (strcmp(argv[i], create_flags[k].flag) == 0)
				break;
		if (k == ELEMENTSOF(create_flags)) {
			json_decref(config);
			return cli_usage_error("unknown option '%s' for 'net create'", argv[i]);
		}
		const char *value = create_flags[k].fixed;
		if (!value) {
			if (i + 1 >= argc) {
				json_decref(config);
				return cli_usage_error("option '%s' needs a value", argv[i]);
			}
			value = argv[++i];
		}
		json_object_set_new(config, create_flags[k].key, json_string(value));
	}
	if (!name) {
		json_decref(config);
		return cli_usage_error("'net create' needs a network name");
	}
	params = json_pack("{s:s, s:o}", "name", name, "config", config);
	r = cli_call_take(cli, "net.create", params, &result);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else if (json_is_string(json_object_get(result, "macvtap-mode")))
		printf("Network %s created: macvtap (%s) on %s\n", name,
		       json_string_value(json_object_get(result, "macvtap-mode")),
		       json_string_value(json_object_get(result, "uplink")));
	else if (!json_string_value(json_object_get(result, "subnet")))
		printf("Network %s created: %s on %s\n", name,   /* mode bridge: the LAN's */
		       json_string_value(json_object_get(result, "mode")),
		       json_string_value(json_object_get(result, "bridge")));
	else if (json_string_value(json_object_get(result, "subnet6")))
		printf("Network %s created: %s %s %s, gateway %s %s on %s\n", name,
		       json_string_value(json_object_get(result, "mode")),
		       json_string_value(json_object_get(result, "subnet")),
		       json_string_value(json_object_get(result, "subnet6")),
		       json_string_value(json_object_get(result, "gateway")),
		       json_string_value(json_object_get(result, "gateway6")),
		       json_string_value(json_object_get(result, "bridge")));
	else
		printf("Network %s created: %s %s, gateway %s on %s\n", name,
		       json_string_value(json_object_get(result, "mode")),
		       json_string_value(json_object_get(result, "subnet")),
		       json_string_value(json_object_get(result, "gateway")),
		       json_string_value(json_object_get(result, "bridge")));
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_net_define(struct cli *cli, int argc, char **argv)
{
	_cleanup_free_ char *text = NULL, *copy = NULL;
	json_t *params, *result = NULL;
	char *base, *dot;
	size_t len;
	int r;

	if (argc != 1)
		return cli_usage_error("'net define' takes exactly one file");
	r = read_file(argv[0], CLI_DEFINITION_MAX, &text, &len);
	if (r < 0)
		return cli_fail(cli, "cannot read '%s': %s", argv[0], strerror(-r));
	if (strlen(text) != len)
		return cli_fail(cli, "'%s' contains a NUL byte", argv[0]);
	/* The network's name is the file's base name without its extension (lab.conf -> lab). */
	copy = strdup(argv[0]);
	if (!copy)
		return cli_fail(cli, "out of memory");
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	params = json_pack("{s:s, s:s}", "name", base, "text", text);
	if (!params)
		return cli_fail(cli, "'%s' is not valid UTF-8 text", argv[0]);
	r = cli_call(cli, "net.define", params, &result);
	json_decref(params);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		printf("Network %s %s\n", json_string_value(json_object_get(result, "name")),
		       json_is_true(json_object_get(result, "created")) ? "defined" : "redefined");
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_net_export(struct cli *cli, int argc, char **argv)
{
	json_t *params = NULL, *result = NULL;
	int r = net_name_params(argc, argv, "export", &params);

	if (r != 0)
		return r;
	r = cli_call(cli, "net.export", params, &result);
	json_decref(params);
	if (r != 0)
		return r;
	if (cli->json)
		output_json(result);
	else
		fputs(json_string_value(json_object_get(result, "text")), stdout);
	json_decref(result);
	return CLI_EXIT_OK;
}

int cmd_net_start(struct cli *cli, int argc, char **argv)
{
	return net_simple(cli, argc, argv, "start", "net.start", "started");
}

int cmd_net_stop(struct cli *cli, int argc, char **argv)
{
	return net_simple(cli, argc, argv, "stop", "net.stop", "stopped");
}

int cmd_net_delete(struct cli *cli, int argc, char **argv)
{
	return net_simple(cli, argc, argv, "delete", "net.delete", "deleted");
}

int cmd_net_show(struct cli *cli, int argc, char **argv)
{
	return net_simple(cli, argc, argv, "show", "net.show", NULL);
}

int cmd_net_list(struct cli *cli, int argc, char **argv)
{
	json_t *result = NULL;
	int r;

	if (argc != 0)
		return cli_usage_error("'net list' takes no arguments");
	r = cli_call(cli, "net.list", NULL, &result);
	if (r != 0)
		return r;
	output_table(net_columns, ELEMENTSOF(net_columns), result, cli->json);
	json_decref(result);
	return CLI_EXIT_OK;
}
