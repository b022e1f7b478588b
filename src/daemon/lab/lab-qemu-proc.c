/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU processes of lab nodes: command line, detached start, identity, stop (lab-qemu-proc.h). */
#include "daemon/lab/lab-qemu-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include "shared/alloc-util.h"
#include "shared/fd-util.h"

#define LAB_QEMU_ARGS_MAX (40 + 4 * LAB_NODE_NICS_MAX)
#define LAB_QEMU_POLL_NSEC (10 * 1000 * 1000)

void lab_qemu_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

struct argv_builder {
	char **v;
	size_t n;
	int r;
};

static void arg(struct argv_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg(struct argv_builder *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (b->r < 0)
		return;
	if (b->n + 1 >= LAB_QEMU_ARGS_MAX) {
		b->r = -E2BIG;
		return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		b->r = -ENOMEM;
		s = NULL;
	}
	va_end(ap);
	if (s)
		b->v[b->n++] = s;
}

/* QEMU's option syntax takes ',' as a separator ("file=a,b" would be two options). */
static bool comma_free(const char *s)
{
	return !s || !strchr(s, ',');
}

int lab_qemu_argv(const struct lab_qemu_spec *spec, char ***ret)
{
	struct argv_builder b = { 0 };

	if (!spec->name || !*spec->name || !comma_free(spec->name) ||
	    (!spec->kernel && !spec->disk) || !comma_free(spec->kernel) ||
	    !comma_free(spec->initrd) || !comma_free(spec->disk) ||
	    !comma_free(spec->console_log) || !spec->console_log ||
	    spec->n_nics > LAB_NODE_NICS_MAX || (spec->has_probe && spec->probe_fd < 0))
		return -EINVAL;
	b.v = calloc(LAB_QEMU_ARGS_MAX, sizeof(*b.v));
	if (!b.v)
		return -ENOMEM;
	arg(&b, "%s", spec->binary ? spec->binary : LAB_QEMU_BINARY);
	arg(&b, "-name");
	arg(&b, "%s", spec->name);
	arg(&b, "-accel");
	arg(&b, "%s", spec->kvm ? "kvm" : "tcg");
	if (spec->kvm) {
		arg(&b, "-cpu");
		arg(&b, "host");
	}
	arg(&b, "-M");
	arg(&b, "pc");
	arg(&b, "-m");
	arg(&b, "%" PRIu32, spec->memory_mib);
	arg(&b, "-smp");
	arg(&b, "%" PRIu32, spec->cpus ? spec->cpus : 1);
	arg(&b, "-nodefaults");
	arg(&b, "-no-user-config");
	arg(&b, "-display");
	arg(&b, "none");
	arg(&b, "-no-reboot");
	arg(&b, "-serial");
	arg(&b, "file:%s", spec->console_log);
	if (spec->has_probe) {
		/* ttyS1: QEMU listens on the daemon's socket, one client at a time, never waiting */
		arg(&b, "-chardev");
		arg(&b, "socket,id=knprobe,fd=%d,server=on,wait=off", spec->probe_fd);
		arg(&b, "-serial");
		arg(&b, "chardev:knprobe");
	}
	if (spec->kernel) {
		arg(&b, "-kernel");
		arg(&b, "%s", spec->kernel);
		if (spec->initrd) {
			arg(&b, "-initrd");
			arg(&b, "%s", spec->initrd);
		}
		arg(&b, "-append");
		arg(&b, "%s", spec->append ? spec->append : "console=ttyS0");
	}
	if (spec->disk) {
		/* a throwaway overlay: the lab never writes to the user's image */
		arg(&b, "-drive");
		arg(&b, "file=%s,if=virtio,snapshot=on", spec->disk);
	}
	for (size_t i = 0; i < spec->n_nics; i++) {
		const uint8_t *m = spec->macs[i];

		arg(&b, "-netdev");
		/* no vhost-net: not every host has it, and QEMU aborts when asked for it there */
		arg(&b, "tap,id=n%zu,fd=%d,vhost=off", i, spec->tap_fds[i]);
		arg(&b, "-device");
		arg(&b, "virtio-net-pci,netdev=n%zu,mac=%02x:%02x:%02x:%02x:%02x:%02x,romfile=", i,
		    m[0], m[1], m[2], m[3], m[4], m[5]);
	}
	if (b.r < 0) {
		lab_qemu_argv_free(b.v);
		return b.r;
	}
	*ret = b.v;
	return 0;
}

bool lab_qemu_kvm_usable(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* 'binary' as execvp() would find it: 0 or -ENOENT. */
static int binary_exists(const char *binary)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(binary, '/'))
		return access(binary, X_OK) == 0 ? 0 : -ENOENT;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (len && (size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path, binary) <
				   sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 0;
		path += len + (path[len] == ':');
	}
	return -ENOENT;
}

/* In the grandchild: the process QEMU becomes. Never returns. */
static void exec_qemu(const struct lab_qemu_spec *spec, char **argv, int err_fd)
{
	sigset_t none;
	int fd, e;

	sigemptyset(&none);
	/* the daemon blocks the signals its signalfds read: QEMU must get SIGTERM */
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		(void)dup2(fd, 0);
		close(fd);
	}
	fd = open(spec->qemu_log ? spec->qemu_log : "/dev/null",
		  O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	/* nothing of the daemon's reaches QEMU but the taps (err_fd closes on exec) */
	(void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	for (size_t i = 0; i < spec->n_nics; i++)
		(void)fcntl(spec->tap_fds[i], F_SETFD, 0);
	if (spec->has_probe)
		(void)fcntl(spec->probe_fd, F_SETFD, 0);
	execvp(argv[0], argv);
	e = errno;
	(void)!write(err_fd, &e, sizeof(e));
	_exit(127);
}

int lab_qemu_start(const struct lab_qemu_spec *spec, struct lab_qemu_id *ret)
{
	int pid_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 }, status, e = 0, r;
	char **argv = NULL;
	pid_t middle, pid = 0;
	ssize_t n;

	r = binary_exists(spec->binary ? spec->binary : LAB_QEMU_BINARY);
	if (r < 0)
		return r;
	r = lab_qemu_argv(spec, &argv);
	if (r < 0)
		return r;
	if (pipe2(pid_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	middle = fork();
	if (middle < 0) {
		r = -errno;
		goto out;
	}
	if (middle == 0) {
		pid_t g;

		(void)setsid();
		g = fork();
		if (g == 0)
			exec_qemu(spec, argv, err_pipe[1]);
		(void)!write(pid_pipe[1], &g, sizeof(g));
		_exit(g < 0 ? 1 : 0);
	}
	safe_close(pid_pipe[1]);
	pid_pipe[1] = -1;
	safe_close(err_pipe[1]);
	err_pipe[1] = -1;
	n = read(pid_pipe[0], &pid, sizeof(pid));
	(void)waitpid(middle, &status, 0);
	if (n != sizeof(pid) || pid <= 0) {
		r = -ECHILD;
		goto out;
	}
	/* the exec closes the write end: 0 bytes = QEMU runs; an errno = it could not start */
	do
		n = read(err_pipe[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) {
		r = -e;
		goto out;
	}
	ret->pid = pid;
	r = lab_qemu_start_ticks(pid, &ret->start_ticks);
	if (r < 0)
		/* gone already (a bad image, say): the caller finds out from its log */
		ret->start_ticks = 0, r = 0;
out:
	safe_close(pid_pipe[0]);
	safe_close(pid_pipe[1]);
	safe_close(err_pipe[0]);
	safe_close(err_pipe[1]);
	lab_qemu_argv_free(argv);
	return r;
}

/* Reads /proc/PID/FILE into 'buf' (NUL-terminated): the length, or -errno. */
static ssize_t proc_read(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((size_t)total + 1 < size && (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

/* State and start time from /proc/PID/stat (after the ')' that ends the command name). */
static int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_ticks)
{
	char buf[1024], *p;
	ssize_t n = proc_read(pid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EBADMSG;
	*ret_state = p[2];
	p += 2;
	/* fields 3 (state) .. 22 (starttime): skip 19 blanks */
	for (int i = 0; i < 19; i++) {
		p = strchr(p, ' ');
		if (!p)
			return -EBADMSG;
		p++;
	}
	*ret_ticks = strtoull(p, NULL, 10);
	return 0;
}

int lab_qemu_start_ticks(pid_t pid, uint64_t *ret)
{
	char state;

	return proc_stat(pid, &state, ret);
}

/* The process 'id' exists (not as a zombie) with its start time. */
static bool same_process(const struct lab_qemu_id *id)
{
	uint64_t ticks;
	char state;

	if (id->pid <= 0 || proc_stat(id->pid, &state, &ticks) < 0)
		return false;
	return state != 'Z' && state != 'X' && ticks == id->start_ticks;
}

bool lab_qemu_alive(const struct lab_qemu_id *id, const char *name)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 64 * 1024, nlen = strlen(name);
	ssize_t n;

	if (!same_process(id))
		return false;
	buf = malloc(size);
	if (!buf)
		return false;
	n = proc_read(id->pid, "cmdline", buf, size);
	if (n <= 0)
		return false;
	/* "-name\0NAME\0" among the NUL-separated arguments */
	for (ssize_t i = 0; i + 6 + (ssize_t)nlen < n; i += (ssize_t)strlen(buf + i) + 1)
		if (strcmp(buf + i, "-name") == 0)
			return strcmp(buf + i + 6, name) == 0;
	return false;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Waits up to 'usec' for 'id' to be gone; true when it is. */
static bool wait_gone(const struct lab_qemu_id *id, uint64_t usec)
{
	uint64_t end = now_usec() + usec;
	const struct timespec tick = { 0, LAB_QEMU_POLL_NSEC };

	while (same_process(id)) {
		if (now_usec() >= end)
			return false;
		nanosleep(&tick, NULL);
	}
	return true;
}

int lab_qemu_stop(const struct lab_qemu_id *id, const char *name)
{
	if (!lab_qemu_alive(id, name))
		return 0;
	if (kill(id->pid, SIGTERM) < 0)
		return errno == ESRCH ? 0 : -errno;
	if (wait_gone(id, LAB_QEMU_STOP_USEC))
		return 0;
	if (kill(id->pid, SIGKILL) < 0)
		return errno == ESRCH ? 0 : -errno;
	return wait_gone(id, LAB_QEMU_STOP_USEC) ? 0 : -ETIMEDOUT;
}
