/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The API's methods (docs/API.md): net.create, net.define, net.export, net.start, net.stop,
 * net.show, net.delete, net.list, host.*, lease.list, port.*, status, version. Each validates everything first, then changes
 * the kernel with rollback, then writes the definition atomically: all or nothing.
 */
#ifndef KN_DAEMON_API_METHODS_H
#define KN_DAEMON_API_METHODS_H

#include <jansson.h>
#include <stddef.h>
#include <sys/socket.h>

struct manager;

/* One request's context: who asked, and what besides the reply goes back. */
struct api_call {
	struct ucred cred;    /* the caller (SO_PEERCRED) */
	int fd;               /* out: a descriptor sent with the reply (SCM_RIGHTS), or -1;
			       * the server closes it after sending */
};

/*
 * Runs 'method' with 'params' (borrowed). On success returns 0 and a new reference in
 * '*ret_result'; on failure a negative errno (-ENOSYS for an unknown method) and a one-line
 * reason in 'err'.
 */
int api_methods_dispatch(struct manager *m, struct api_call *call, const char *method,
			 json_t *params, json_t **ret_result, char *err, size_t errlen);

/* port.attach (api-methods-port.c): the one method that answers with a descriptor. */
int api_method_port_attach(struct manager *m, struct api_call *call, json_t *params,
			   json_t **ret, char *err, size_t errlen);

#endif
