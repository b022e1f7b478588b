/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CLI's side of the control socket: connect, send one request line, read one response. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api-proto.h"
#include "cli/cli.h"
#include "shared/alloc-util.h"

int cli_fail(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmnet: ");
	if (cli->what && cli->what[0])
		fprintf(stderr, "%s: ", cli->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAILED;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmnet: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'kvmnet --help')\n");
	return CLI_EXIT_USAGE;
}

static int cli_send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int call(struct cli *cli, const char *method, json_t *params, json_t **ret, bool optional)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct api_linebuf in = { 0 };
	struct api_response resp;
	_cleanup_free_ char *req = NULL;
	_cleanup_close_ int fd = -1;
	const char *line;
	size_t len;
	char buf[65536];
	int r;

	if (strlen(cli->socket_path) >= sizeof(sa.sun_path))
		return cli_fail(cli, "socket path '%s' is too long", cli->socket_path);
	memcpy(sa.sun_path, cli->socket_path, strlen(cli->socket_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return cli_fail(cli, "cannot reach kvmnetd at %s: %s", cli->socket_path,
				strerror(errno));

	r = api_request_encode(1, method, params, &req);
	if (r < 0)
		return cli_fail(cli, "cannot encode request: %s", strerror(-r));
	/* kvmnetd refuses a caller it does not admit at once and hangs up: its answer says why */
	r = cli_send_all(fd, req, strlen(req));
	if (r < 0 && r != -EPIPE && r != -ECONNRESET)
		return cli_fail(cli, "cannot send request to kvmnetd: %s", strerror(-r));

	for (;;) {
		if (api_linebuf_next(&in, &line, &len))
			break;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			api_linebuf_done(&in);
			if (r < 0)
				return cli_fail(cli, "cannot send request to kvmnetd: %s",
						strerror(-r));
			return cli_fail(cli, "kvmnetd closed the connection without an answer");
		}
		r = api_linebuf_append(&in, buf, (size_t)n);
		if (r < 0) {
			api_linebuf_done(&in);
			return cli_fail(cli, "answer from kvmnetd too large");
		}
	}
	r = api_response_decode(line, len, &resp);
	api_linebuf_done(&in);
	if (r < 0)
		return cli_fail(cli, "malformed answer from kvmnetd");
	if (resp.error && optional && resp.error == -ENOSYS) {
		*ret = NULL;
		api_response_done(&resp);
		return 0;
	}
	if (resp.error) {
		r = cli_fail(cli, "%s", resp.message);
		api_response_done(&resp);
		return r;
	}
	*ret = json_incref(resp.result);
	api_response_done(&resp);
	return 0;
}

int cli_call(struct cli *cli, const char *method, json_t *params, json_t **ret)
{
	return call(cli, method, params, ret, false);
}

int cli_call_optional(struct cli *cli, const char *method, json_t *params, json_t **ret)
{
	return call(cli, method, params, ret, true);
}

int cli_call_take(struct cli *cli, const char *method, json_t *params, json_t **ret)
{
	int r;

	if (!params)
		return cli_fail(cli, "out of memory");
	r = cli_call(cli, method, params, ret);
	json_decref(params);
	return r;
}
