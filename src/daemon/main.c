/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvmnetd: parses the command line, sets up logging, builds the manager (which owns everything
 * else), reconciles the kernel with the stored definitions and runs the event loop. SIGTERM stops
 * the daemon and leaves every network running.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/api-server.h"
#include "daemon/lab/lab-engine.h"
#include "daemon/manager.h"
#include "netlink/nl-netns.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

#define DEFAULT_STATE_DIR "/var/lib/kvmnet"
#define DEFAULT_SOCKET "/run/kvmnet/kvmnet.sock"
#define DEFAULT_GROUP "kvmnet"

static void usage(FILE *f)
{
	fprintf(f, "Usage: kvmnetd [--state-dir DIR] [--socket PATH] [--group NAME] [--foreground] "
		   "[--log-level LEVEL] [--netns-dir DIR] [--frr-vty-dir DIR]\n"
		   "  --state-dir DIR    definitions and leases (default " DEFAULT_STATE_DIR ")\n"
		   "  --socket PATH      control socket (default " DEFAULT_SOCKET ")\n"
		   "  --group NAME       group whose members may use the control socket (default\n"
		   "                     " DEFAULT_GROUP ", when that group exists; else root only)\n"
		   "  --foreground       stay in the foreground, log to stderr\n"
		   "  --netns-dir DIR    where lab nodes' namespaces are kept (default /run/netns)\n"
		   "  --guest-dir DIR    the tiny guest of qemu lab nodes (default\n"
		   "                     " KVMNET_GUEST_DIR ")\n"
		   "  --frr-vty-dir DIR  FRR's vty sockets, for overlay = evpn (default /var/run/frr;\n"
		   "                     daemons started with -N NAME: /var/run/frr/NAME)\n"
		   "  --log-level LEVEL  error, warning, notice, info (default) or debug\n"
		   "  --version          print the version\n");
}

/*
 * The group of the control socket: 'name' must exist; without a name, DEFAULT_GROUP if it
 * exists, else none ((gid_t)-1, the socket is root's only). Prints one line and returns -1 when
 * the group cannot be found.
 */
static int resolve_api_group(const char *name, gid_t *ret)
{
	struct group *g;

	errno = 0;
	g = getgrnam(name ? name : DEFAULT_GROUP);
	if (g) {
		*ret = g->gr_gid;
		return 0;
	}
	if (!name) {
		*ret = (gid_t)-1;
		return 0;
	}
	if (errno != 0 && errno != ENOENT && errno != ESRCH)
		fprintf(stderr, "kvmnetd: cannot look up group '%s' (--group): %s\n", name,
			strerror(errno));
	else
		fprintf(stderr, "kvmnetd: group '%s' does not exist (--group)\n", name);
	return -1;
}

/* Detaches from the terminal; the parent exits once the child is serving. */
static int daemonize(void)
{
	int pipefd[2];
	pid_t pid;
	char c;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) == 1 ? 0 : 1);
	}
	close(pipefd[0]);
	if (setsid() < 0)
		return -errno;
	return pipefd[1];
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "group", required_argument, NULL, 'g' },
		{ "netns-dir", required_argument, NULL, 'n' },
		{ "guest-dir", required_argument, NULL, 'G' },
		{ "frr-vty-dir", required_argument, NULL, 'R' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct manager_options o = { .state_dir = DEFAULT_STATE_DIR, .socket_path = DEFAULT_SOCKET };
	struct manager *m = NULL;
	struct api_server *api = NULL;
	const char *group = NULL;
	bool foreground = false;
	int c, r, ready_fd = -1;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case 's':
			o.state_dir = optarg;
			break;
		case 'S':
			o.socket_path = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'n':
			o.netns_dir = optarg;
			break;
		case 'G':
			o.guest_dir = optarg;
			break;
		case 'R':
			o.frr_vty_dir = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'l': {
			enum log_level level;
			if (log_level_from_string(optarg, &level) < 0) {
				fprintf(stderr, "kvmnetd: invalid log level '%s'\n", optarg);
				return 2;
			}
			log_set_level(level);
			break;
		}
		case 'V':
			printf("kvmnetd %s\n", KVMNET_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* The NSS module's hosts file lives beside the socket (/run/kvmnet/hosts by default). */
	_cleanup_free_ char *hosts_file = NULL;
	{
		const char *slash = strrchr(o.socket_path, '/');
		if (asprintf(&hosts_file, "%.*s/hosts", slash ? (int)(slash - o.socket_path) : 1,
			     slash ? o.socket_path : ".") < 0)
			return 1;
		o.hosts_file = hosts_file;
	}
	if (optind < argc) {
		fprintf(stderr, "kvmnetd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (resolve_api_group(group, &o.api_gid) < 0)
		return 1;
	o.api_group = group ? group : DEFAULT_GROUP;
	if (geteuid() != 0)
		log_warning("Not running as root: kernel changes will fail");

	signal(SIGPIPE, SIG_IGN);
	/* libnftables allocates and frees buffers of hundreds of kB per firewall change; glibc's
	 * dynamic mmap threshold would then move them into the heap, where they leave holes that
	 * the long-lived per-network allocations pin. A fixed threshold keeps them mmap'd, given
	 * back on free (issue 12: memory per network). */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	/* Sockets per network (DHCP, DNS) and per forwarded DNS query add up: use the hard limit. */
	{
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if (!foreground) {
		ready_fd = daemonize();
		if (ready_fd < 0) {
			log_error_errno(ready_fd, "Failed to daemonize: %m");
			return 1;
		}
	}

	r = manager_new(&o, &m);
	if (r < 0)
		return 1;
	/* The lab engine and the API sit on top of the manager: made after it, freed first. */
	r = lab_engine_new(m, o.netns_dir ? o.netns_dir : NL_NETNS_DIR, &m->labs);
	if (r >= 0) {
		m->labs->guest_dir = o.guest_dir ? o.guest_dir : KVMNET_GUEST_DIR;
		r = api_server_new(m, o.socket_path, o.api_gid, o.api_group, &api);
	}
	if (r >= 0)
		r = manager_startup(m);
	if (r >= 0)
		r = lab_engine_startup(m->labs);
	if (r < 0) {
		api_server_free(api);
		m->labs = lab_engine_free(m->labs);
		manager_free(m);
		return 1;
	}
	log_info("kvmnetd %s ready on %s", KVMNET_VERSION, o.socket_path);
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "1", 1);
		close(ready_fd);
	}
	r = manager_run(m);
	api_server_free(api);
	m->labs = lab_engine_free(m->labs);
	manager_free(m);
	return r < 0 ? 1 : 0;
}
