/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the control protocol (src/api/api-proto.c) and the daemon's request dispatch.
 *
 * Input: byte 0 picks the chunk size the stream is fed to the line splitter with (as recv()
 * would cut it), the rest is the byte stream a client sends. Every complete line is decoded as
 * a request and as a response; a decoded request re-encodes and decodes back to itself, and
 * every response the daemon would send decodes back to what was sent.
 *
 * When the target may make a private network namespace (root), each request is also dispatched
 * to a real daemon manager living in that namespace, with its state directory and socket in a
 * temporary directory: the methods' argument validation, and for valid requests the kernel
 * programming with rollback, run against an empty namespace the host never sees. After each
 * input every network is deleted again, so inputs do not depend on one another. A refusal must
 * come with a one-line reason; a success with a result.
 */
#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api-proto.h"
#include "daemon/api-methods.h"
#include "daemon/lab/lab-engine.h"
#include "daemon/manager.h"
#include "daemon/network.h"
#include "netlink/nl-netns.h"
#include "fuzz.h"
#include "shared/log.h"

/* Requests dispatched per input: enough for create/define/start/host/port sequences. */
#define FUZZ_REQUESTS_MAX 24

static struct manager *manager;
static char state_root[] = "/tmp/kvmnet-fuzz-api.XXXXXX";
static bool initialized;
static bool verbose;   /* KVMNET_FUZZ_VERBOSE: each request's outcome on stderr */

static int remove_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	if (manager)
		manager->labs = lab_engine_free(manager->labs);
	manager = manager_free(manager);
	if (state_root[sizeof(state_root) - 2] != 'X')
		(void)nftw(state_root, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* The manager, in a network namespace of this process's own; NULL without the privilege. */
static void init_manager(void)
{
	char state[sizeof(state_root) + 16], sock[sizeof(state_root) + 16];
	struct manager_options o = { .api_gid = (gid_t)-1 };

	initialized = true;
	verbose = getenv("KVMNET_FUZZ_VERBOSE") != NULL;
	log_set_level(LOG_LEVEL_ERROR);
	if (getenv("KVMNET_FUZZ_NO_DISPATCH") || unshare(CLONE_NEWNET) < 0)
		return;
	if (!mkdtemp(state_root))
		return;
	atexit(teardown);
	snprintf(state, sizeof(state), "%s/state", state_root);
	snprintf(sock, sizeof(sock), "%s/sock", state_root);
	o.state_dir = state;
	o.socket_path = sock;
	/* as kvmnetd's main() does, less the API server: requests go straight to dispatch */
	if (manager_new(&o, &manager) >= 0 &&
	    lab_engine_new(manager, NL_NETNS_DIR, &manager->labs) >= 0) {
		manager->labs->guest_dir = KVMNET_GUEST_DIR;
		if (manager_startup(manager) >= 0 && lab_engine_startup(manager->labs) >= 0)
			return;
	}
	fprintf(stderr, "fuzz-api-proto: cannot start a manager; dispatch not fuzzed\n");
	if (manager)
		manager->labs = lab_engine_free(manager->labs);
	manager = manager_free(manager);
}

/* The reply the daemon would send, checked to decode back to what was encoded. */
static void check_reply(uint64_t id, int r, json_t *result, char err[512])
{
	struct api_response resp;
	char *line = NULL;

	if (r < 0) {
		/* The server gives strerror() when a method left no reason. */
		if (!err[0])
			snprintf(err, 512, "%s", strerror(-r));
		if (strchr(err, '\n') || result)
			abort();
		if (api_response_encode_error(id, r, err, &line) < 0)
			abort();
	} else {
		if (!result)
			abort();
		if (api_response_encode_result(id, result, &line) < 0)
			abort();
	}
	if (api_response_decode(line, strlen(line) - 1, &resp) < 0 || resp.id != id)
		abort();
	if (r < 0 && (resp.error >= 0 || strcmp(resp.message, err) != 0))
		abort();
	if (r >= 0 && (resp.error != 0 || !json_equal(resp.result, result)))
		abort();
	api_response_done(&resp);
	free(line);
}

static void dispatch(const struct api_request *req)
{
	struct api_call call = { .cred = { .pid = getpid(), .uid = 0, .gid = 0 }, .fd = -1 };
	json_t *result = NULL;
	char err[512] = "";
	int r;

	r = api_methods_dispatch(manager, &call, req->method, req->params, &result, err,
				 sizeof(err));
	if (verbose)
		fprintf(stderr, "%s: %s\n", req->method, r < 0 ? err : "ok");
	check_reply(req->id, r, result, err);
	if (call.fd >= 0)
		close(call.fd);
	json_decref(result);
}

/* Deletes every network the input made, through the API like a client would. */
static void reset_manager(void)
{
	while (manager->n_networks > 0) {
		struct api_call call = { .fd = -1 };
		json_t *params = json_pack("{ss}", "name", manager->networks[0]->config.name);
		json_t *result = NULL;
		char err[512] = "";
		size_t before = manager->n_networks;

		if (!params)
			abort();
		if (api_methods_dispatch(manager, &call, "net.delete", params, &result, err,
					 sizeof(err)) < 0 ||
		    manager->n_networks != before - 1) {
			fprintf(stderr, "fuzz-api-proto: net.delete failed: %s\n", err);
			abort();
		}
		json_decref(result);
		json_decref(params);
	}
}

static void check_request_roundtrip(const struct api_request *req)
{
	struct api_request back;
	char *line = NULL;
	int r = api_request_encode(req->id, req->method, req->params, &line);

	if (r == -E2BIG)
		return;
	if (r < 0 || api_request_decode(line, strlen(line) - 1, &back) < 0)
		abort();
	if (back.id != req->id || strcmp(back.method, req->method) != 0 ||
	    !json_equal(back.params, req->params))
		abort();
	api_request_done(&back);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_linebuf lb = {};
	unsigned requests = 0;
	size_t chunk;

	if (!initialized)
		init_manager();
	if (size == 0)
		return 0;
	chunk = (size_t)data[0] + 1;
	data++;
	size--;
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		const char *line;
		size_t len;

		if (api_linebuf_append(&lb, data + off, n) < 0)
			break;
		while (api_linebuf_next(&lb, &line, &len)) {
			struct api_request req;
			struct api_response resp;

			if (strlen(line) > len)
				abort();
			if (api_response_decode(line, len, &resp) == 0)
				api_response_done(&resp);
			if (api_request_decode(line, len, &req) < 0) {
				if (req.root)
					abort();
				continue;
			}
			if (!req.method || !json_is_object(req.params))
				abort();
			check_request_roundtrip(&req);
			if (manager && requests++ < FUZZ_REQUESTS_MAX)
				dispatch(&req);
			api_request_done(&req);
		}
	}
	api_linebuf_done(&lb);
	if (manager)
		reset_manager();
	return 0;
}
