/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the CLI's command handlers share: the parsed global options, the call into the daemon and
 * the error reporting convention (one line, "kvmnet: WHAT: WHY", exit 1; bad usage exits 2).
 */
#ifndef KN_CLI_CLI_H
#define KN_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE 2

struct cli {
	const char *socket_path;
	bool json;
	const char *what;   /* "net create lab": prefixes error messages */
};

/*
 * Sends one request and waits for its response. On success returns 0 with the result (new
 * reference) in '*ret'. On failure prints "kvmnet: WHAT: MESSAGE" and returns CLI_EXIT_FAILED.
 */
int cli_call(struct cli *cli, const char *method, json_t *params, json_t **ret);

/*
 * Like cli_call(), for a method this daemon may not have: an unknown method (ENOSYS) is no
 * error, it returns 0 with '*ret' set to NULL, printing nothing.
 */
int cli_call_optional(struct cli *cli, const char *method, json_t *params, json_t **ret);

/*
 * Like cli_call(), but takes ownership of 'params' and frees it; NULL 'params' (a failed
 * json_pack) is reported as out of memory.
 */
int cli_call_take(struct cli *cli, const char *method, json_t *params, json_t **ret);

/* Prints "kvmnet: WHAT: MESSAGE" (printf-style) and returns CLI_EXIT_FAILED. */
int cli_fail(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "kvmnet: MESSAGE" plus a hint to run 'kvmnet --help', returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Command handlers: 'argc'/'argv' start after the command words. */
int cmd_net_create(struct cli *cli, int argc, char **argv);
int cmd_net_define(struct cli *cli, int argc, char **argv);
int cmd_net_export(struct cli *cli, int argc, char **argv);
int cmd_net_start(struct cli *cli, int argc, char **argv);
int cmd_net_stop(struct cli *cli, int argc, char **argv);
int cmd_net_show(struct cli *cli, int argc, char **argv);
int cmd_net_delete(struct cli *cli, int argc, char **argv);
int cmd_net_list(struct cli *cli, int argc, char **argv);
int cmd_host_add(struct cli *cli, int argc, char **argv);
int cmd_host_remove(struct cli *cli, int argc, char **argv);
int cmd_host_list(struct cli *cli, int argc, char **argv);
int cmd_lease_list(struct cli *cli, int argc, char **argv);
int cmd_forward_add(struct cli *cli, int argc, char **argv);
int cmd_forward_remove(struct cli *cli, int argc, char **argv);
int cmd_forward_list(struct cli *cli, int argc, char **argv);
int cmd_port_add(struct cli *cli, int argc, char **argv);
int cmd_port_remove(struct cli *cli, int argc, char **argv);
int cmd_port_list(struct cli *cli, int argc, char **argv);
int cmd_port_wait(struct cli *cli, int argc, char **argv);
int cmd_graph(struct cli *cli, int argc, char **argv);
int cmd_lab_validate(struct cli *cli, int argc, char **argv);
int cmd_lab_up(struct cli *cli, int argc, char **argv);
int cmd_lab_status(struct cli *cli, int argc, char **argv);
int cmd_lab_down(struct cli *cli, int argc, char **argv);
int cmd_lab_set(struct cli *cli, int argc, char **argv);
int cmd_lab_link(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_doctor(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);

#endif
