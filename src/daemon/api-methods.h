/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The API's methods (docs/API.md): net.create, net.define, net.export, net.start, net.stop,
 * net.show, net.delete, net.list, status, version. Each validates everything first, then changes
 * the kernel with rollback, then writes the definition atomically: all or nothing.
 */
#ifndef KN_DAEMON_API_METHODS_H
#define KN_DAEMON_API_METHODS_H

#include <jansson.h>
#include <stddef.h>

struct manager;

/*
 * Runs 'method' with 'params' (borrowed). On success returns 0 and a new reference in
 * '*ret_result'; on failure a negative errno (-ENOSYS for an unknown method) and a one-line
 * reason in 'err'.
 */
int api_methods_dispatch(struct manager *m, const char *method, json_t *params, json_t **ret_result,
			 char *err, size_t errlen);

#endif
