/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvmnet: the command line. Global options (--socket, --json, --help) are taken from anywhere on
 * the line; the remaining words select a command from the table below (after wireguard-tools'
 * wg.c), which gets the rest of the words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define DEFAULT_SOCKET "/run/kvmnet/kvmnet.sock"
#define CLI_ARGS_MAX 256

static const struct {
	const char *noun, *verb;
	int (*fn)(struct cli *cli, int argc, char **argv);
} commands[] = {
	{ "net", "create", cmd_net_create }, { "net", "define", cmd_net_define },
	{ "net", "export", cmd_net_export }, { "net", "start", cmd_net_start },
	{ "net", "stop", cmd_net_stop },     { "net", "show", cmd_net_show },
	{ "net", "delete", cmd_net_delete }, { "net", "list", cmd_net_list },
	{ "host", "add", cmd_host_add },     { "host", "remove", cmd_host_remove },
	{ "host", "list", cmd_host_list },   { "lease", "list", cmd_lease_list },
	{ "port", "add", cmd_port_add },     { "port", "remove", cmd_port_remove },
	{ "port", "list", cmd_port_list },   { "port", "wait", cmd_port_wait },
	{ "forward", "add", cmd_forward_add }, { "forward", "remove", cmd_forward_remove },
	{ "forward", "list", cmd_forward_list },
	{ "graph", NULL, cmd_graph },
	{ "lab", "validate", cmd_lab_validate }, { "lab", "up", cmd_lab_up },
	{ "lab", "status", cmd_lab_status },     { "lab", "down", cmd_lab_down },
	{ "lab", "set", cmd_lab_set },           { "lab", "link", cmd_lab_link },
	{ "doctor", NULL, cmd_doctor },
	{ "status", NULL, cmd_status },      { "version", NULL, cmd_version },
};

static void usage(FILE *f)
{
	fputs("Usage: kvmnet [--socket PATH] [--json] COMMAND ...\n"
	      "  net create NAME --mode nat|routed|isolated|open|bridge [--subnet CIDR]\n"
	      "                  [--dhcp-range FIRST-LAST] [--domain NAME] [--mtu N]\n"
	      "                  [--bridge IFNAME] [--uplink IFNAME] [--no-dhcp] [--no-dns]\n"
	      "                  [--autostart] [--lease-time SECONDS|2m|1h|1d]\n"
	      "                  [--dhcp-routes 'DEST/LEN via GW,...'] [--dns-forwarders IP,...]\n"
	      "                  [--dhcp-leases-per-port N]\n"
	      "                  [--isolate-ports] [--port-security yes|mac|no]\n"
	      "                  [--allow-attach USER,@GROUP,...]\n"
	      "                  [--subnet6 PREFIX/64|auto|none] [--ra-mode slaac|dhcpv6|slaac+dhcpv6]\n"
	      "                  [--nat6 auto|yes|no] [--tenant NAME]\n"
	      "  net define FILE            create or replace from a definition file\n"
	      "  net export NAME            print the definition file\n"
	      "  net start|stop|show|delete NAME\n"
	      "  net list\n"
	      "  host add NET MAC IP [HOSTNAME] | host remove NET MAC | host list NET\n"
	      "  lease list [NET] [--all]\n"
	      "  port add NET [--name IFNAME] [--mac MAC] [--owner UID|USER] [--queues N]\n"
	      "               [--rate MBIT]   make a persistent tap; prints its name\n"
	      "  port remove [NET] NAME | port list [NET]\n"
	      "  port wait NET IFNAME [--timeout S]  print the guest's IPv4 address once known\n"
	      "  forward add NET tcp|udp HOSTPORT[-LAST] GUESTIP:PORT[-LAST] [--host-address ADDR]\n"
	      "              [--name NAME] | forward remove NET tcp|udp HOSTPORT [--host-address ADDR]\n"
	      "  forward list [NET]\n"
	      "  graph [--format dot|svg] [--output FILE]\n"
	      "                             picture of networks, bridges, ports, guests, forwards\n"
	      "                             (DOT text, or SVG through Graphviz's 'dot')\n"
	      "  lab validate FILE          check a lab file against this host (docs/LABS.md),\n"
	      "                             creating nothing\n"
	      "  lab up FILE                bring a lab up: networks, nodes, checks; exit 1 if a\n"
	      "                             check fails (a second 'up' of the same file: no-op)\n"
	      "  lab status FILE | lab down FILE\n"
	      "  lab set FILE NODE:NIC KEY=VALUE  change a running lab's nic: rate, loss, delay, jitter\n"
	      "  lab link FILE NODE:NIC down|up   pull or plug back a running lab's nic\n"
	      "  doctor [NET] [--fix]       name other firewalls' rules that drop guest traffic\n"
	      "                             (exit 1 if any); --fix adds the narrowest accepts\n"
	      "  status | version\n"
	      "Global options may appear anywhere on the line. The socket defaults to\n"
	      "$KVMNET_SOCKET, else " DEFAULT_SOCKET ".\n",
	      f);
}

int main(int argc, char **argv)
{
	struct cli cli = { .socket_path = getenv("KVMNET_SOCKET") };
	char *args[CLI_ARGS_MAX], what[512];
	int n = 0;

	if (!cli.socket_path || !cli.socket_path[0])
		cli.socket_path = DEFAULT_SOCKET;
	if (argc > CLI_ARGS_MAX)
		return cli_usage_error("too many arguments");

	/* Pull the global options out wherever they are; keep the rest in order. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			cli.json = true;
		else if (strcmp(argv[i], "--socket") == 0) {
			if (++i >= argc)
				return cli_usage_error("option '--socket' needs a path");
			cli.socket_path = argv[i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0)
			cli.socket_path = argv[i] + 9;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--") == 0) {
			while (++i < argc)
				args[n++] = argv[i];
		} else
			args[n++] = argv[i];
	}
	if (n == 0) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}

	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].noun, args[0]) != 0)
			continue;
		if (!commands[i].verb) {
			cli.what = args[0];
			return commands[i].fn(&cli, n - 1, args + 1);
		}
		if (n < 2)
			return cli_usage_error("'%s' needs a subcommand", args[0]);
		if (strcmp(commands[i].verb, args[1]) != 0)
			continue;
		/* "net create lab": what errors are about. */
		snprintf(what, sizeof(what), "%s %s%s%s", args[0], args[1], n > 2 ? " " : "",
			 n > 2 ? args[2] : "");
		cli.what = what;
		return commands[i].fn(&cli, n - 2, args + 2);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (n >= 2 && commands[i].verb && strcmp(commands[i].noun, args[0]) == 0)
			return cli_usage_error("unknown command '%s %s'", args[0], args[1]);
	return cli_usage_error("unknown command '%s'", args[0]);
}
