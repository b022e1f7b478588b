/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvmnet-bridge-helper: QEMU's bridge helper protocol, without setuid. QEMU runs it for
 * '-netdev bridge,br=BRIDGE,helper=PATH' as 'PATH --use-vnet --fd=N --br=BRIDGE' (through
 * 'sh -c' when PATH holds arguments, e.g. '--socket=...'), with N its end of a socketpair. The
 * helper asks kvmnetd (API method port.attach) for a tap on BRIDGE; kvmnetd makes it, puts it
 * under the network's port policy, checks that the caller may attach to that network, and
 * sends the tap's fd back with SCM_RIGHTS; the helper hands it on to QEMU the same way (one
 * byte of payload, as qemu-bridge-helper does) and exits 0. The tap is not persistent: it goes
 * away when QEMU closes it. Any failure is one line on stderr and exit status 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "api/api-proto.h"
#include "shared/fd-util.h"

#define DEFAULT_SOCKET "/run/kvmnet/kvmnet.sock"

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("kvmnet-bridge-helper: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int usage(void)
{
	fputs("Usage: kvmnet-bridge-helper [--socket=PATH] [--use-vnet] --br=BRIDGE --fd=N\n"
	      "QEMU's bridge helper for kvmnet bridges: -netdev bridge,br=BRIDGE,helper=PATH\n"
	      "The socket defaults to $KVMNET_SOCKET, else " DEFAULT_SOCKET ".\n",
	      stderr);
	return 1;
}

/* Reads one response line from 'fd', keeping the first fd passed along with it. */
static int read_response(int fd, struct api_linebuf *in, const char **line, size_t *len,
			 int *ret_fd)
{
	char buf[4096];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;

	while (!api_linebuf_next(in, line, len)) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof(int))) {
				int got;
				memcpy(&got, CMSG_DATA(c), sizeof(int));
				if (*ret_fd < 0)
					*ret_fd = got;
				else
					close(got);
			}
		if (msg.msg_flags & MSG_CTRUNC)
			return -EPROTO;
		int r = api_linebuf_append(in, buf, (size_t)n);
		if (r < 0)
			return r;
	}
	return 0;
}

static int send_fd(int sock, int fd)
{
	char byte = 0;

	for (;;) {
		ssize_t n = fd_send_with_fd(sock, &byte, 1, fd, 0);
		if (n == 1)
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : -EIO;
	}
}

int main(int argc, char **argv)
{
	const char *socket_path = getenv("KVMNET_SOCKET"), *bridge = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct api_linebuf in = { 0 };
	struct api_response resp;
	bool vnet_hdr = false;
	int qemu_fd = -1, tap_fd = -1, sock, r;
	char *req = NULL;
	const char *line;
	size_t len;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--use-vnet") == 0)
			vnet_hdr = true;
		else if (strncmp(a, "--br=", 5) == 0)
			bridge = a + 5;
		else if (strncmp(a, "--fd=", 5) == 0) {
			char *end;
			long v;
			errno = 0;
			v = strtol(a + 5, &end, 10);
			if (errno || end == a + 5 || *end || v < 0 || v > 65535)
				return fail("invalid --fd '%s': must be a file descriptor number",
					    a + 5);
			qemu_fd = (int)v;
		} else if (strncmp(a, "--socket=", 9) == 0)
			socket_path = a + 9;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return usage();
		else
			return fail("unknown argument '%s'", a);
	}
	if (!bridge || !*bridge)
		return fail("no bridge given (--br=BRIDGE)");
	if (qemu_fd < 0)
		return fail("no socket to QEMU given (--fd=N)");
	if (!socket_path || !*socket_path)
		socket_path = DEFAULT_SOCKET;
	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return fail("socket path '%s' is too long", socket_path);
	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);

	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail("cannot reach kvmnetd at %s: %s", socket_path, strerror(errno));

	json_t *params = json_pack("{s:s,s:b}", "bridge", bridge, "vnet_hdr", vnet_hdr);
	if (!params)
		return fail("out of memory");
	r = api_request_encode(1, "port.attach", params, &req);
	json_decref(params);
	if (r < 0)
		return fail("cannot encode the request: %s", strerror(-r));
	for (size_t off = 0, n = strlen(req); off < n;) {
		ssize_t w = send(sock, req + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		/* kvmnetd may refuse a caller at once (EPERM) and hang up: its answer says why */
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			break;
		if (w < 0) {
			free(req);
			return fail("cannot send the request to kvmnetd: %s", strerror(errno));
		}
		off += (size_t)w;
	}
	free(req);

	r = read_response(sock, &in, &line, &len, &tap_fd);
	if (r < 0) {
		api_linebuf_done(&in);
		return fail("no answer from kvmnetd: %s", strerror(-r));
	}
	r = api_response_decode(line, len, &resp);
	api_linebuf_done(&in);   /* 'resp' holds its own copy of the document */
	if (r < 0)
		return fail("malformed answer from kvmnetd");
	if (resp.error) {
		r = fail("%s: %s", bridge, resp.message);
		api_response_done(&resp);
		return r;
	}
	api_response_done(&resp);
	close(sock);
	if (tap_fd < 0)
		return fail("kvmnetd answered without a tap file descriptor");
	r = send_fd(qemu_fd, tap_fd);
	if (r < 0)
		return fail("cannot pass the tap to QEMU (fd %d): %s", qemu_fd, strerror(-r));
	close(tap_fd);
	return 0;
}
