/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the api-methods*.c files share: parameter helpers and the per-file method functions. */
#ifndef KN_DAEMON_API_METHODS_INTERNAL_H
#define KN_DAEMON_API_METHODS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

struct manager;
struct network;
struct network_config;
struct network_dns_records;
struct network_forwards;
struct network_hosts;
struct network_ports;

typedef int (*api_method_fn)(struct manager *m, json_t *params, json_t **ret, char *err,
			     size_t errlen);

/* Reads the mandatory string parameter 'key'; -EINVAL with a reason otherwise. */
int api_param_string(json_t *params, const char *key, const char **ret, char *err, size_t errlen);
/* Looks up the network named by parameter 'key'; -ENOENT "network 'x' does not exist". */
int api_param_network(struct manager *m, json_t *params, const char *key, struct network **ret,
		      char *err, size_t errlen);
/*
 * Writes the definition file of network 'c' with reservations 'hosts', static DNS records
 * 'records' and ports 'ports' (each may be NULL), atomically.
 */
int api_save_definition(struct manager *m, const struct network_config *c,
			const struct network_hosts *hosts,
			const struct network_dns_records *records,
			const struct network_ports *ports, char *err, size_t errlen);

/* api_save_definition() with the port forwards 'forwards' (may be NULL). */
int api_save_definition_full(struct manager *m, const struct network_config *c,
			     const struct network_hosts *hosts,
			     const struct network_dns_records *records,
			     const struct network_ports *ports,
			     const struct network_forwards *forwards, char *err, size_t errlen);

int api_method_forward_add(struct manager *m, json_t *params, json_t **ret, char *err,
			   size_t errlen);
int api_method_forward_remove(struct manager *m, json_t *params, json_t **ret, char *err,
			      size_t errlen);
int api_method_forward_list(struct manager *m, json_t *params, json_t **ret, char *err,
			    size_t errlen);
int api_method_host_add(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_host_remove(struct manager *m, json_t *params, json_t **ret, char *err,
			   size_t errlen);
int api_method_host_list(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_port_add(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_port_remove(struct manager *m, json_t *params, json_t **ret, char *err,
			   size_t errlen);
int api_method_port_list(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_lease_list(struct manager *m, json_t *params, json_t **ret, char *err,
			  size_t errlen);
int api_method_lab_validate(struct manager *m, json_t *params, json_t **ret, char *err,
			    size_t errlen);
int api_method_lab_up(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_lab_status(struct manager *m, json_t *params, json_t **ret, char *err,
			  size_t errlen);
int api_method_lab_down(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
/* The lab named by "name", or by the name its file ("text", "file") gives; -ENOENT if not up. */
struct lab;
int api_param_lab(struct manager *m, json_t *params, struct lab **ret, char *err, size_t errlen);
/* api-methods-lab-live.c */
int api_method_lab_set(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_lab_link(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
int api_method_graph(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen);
/* doctor.check and doctor.fix ('method' is one of them). */
int api_method_doctor(struct manager *m, const char *method, json_t *params, json_t **ret,
		      char *err, size_t errlen);
/* Removes the rules 'doctor --fix' added for network 'name', and their record. */
int api_doctor_network_deleted(struct manager *m, const char *name);

#endif
