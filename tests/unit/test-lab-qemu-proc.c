/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of src/daemon/lab/lab-qemu-proc (QEMU processes of lab nodes). The command line is
 * checked argument by argument; then a real qemu-system-x86_64 (a machine with a blank disk:
 * its BIOS finds nothing to boot and waits, which is all a process test needs) is started
 * detached with a tap of a private network namespace, found again by PID, start time and name,
 * refused under another name or start time, and stopped; the tap it held goes with it. Skips
 * (77) without root, unshare() or QEMU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/lab/lab-qemu-proc.h"
#include "netlink/nl-link.h"
#include "netlink/nl-sock.h"
#include "netlink/nl-tap.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"

static char tmpdir[] = "/tmp/kntest-qemu-XXXXXX";

static size_t argc_of(char **argv)
{
	size_t n = 0;

	while (argv[n])
		n++;
	return n;
}

/* The index of 'a' in 'argv', or -1. */
static int find_arg(char **argv, const char *a)
{
	for (int i = 0; argv[i]; i++)
		if (strcmp(argv[i], a) == 0)
			return i;
	return -1;
}

static void test_argv(void **state)
{
	struct lab_qemu_spec s = {
		.name = "kl-shop-web", .kernel = "/g/vmlinuz", .initrd = "/g/initrd.img",
		.append = "console=ttyS0 knhost=web", .memory_mib = 256, .cpus = 2,
		.console_log = "/s/web.console.log", .n_nics = 2, .tap_fds = { 7, 9 },
		.macs = { { 0x0a, 1, 2, 3, 4, 0 }, { 0x0a, 1, 2, 3, 4, 1 } },
	};
	static const char *const expect[] = {
		"qemu-system-x86_64", "-name", "kl-shop-web", "-accel", "tcg", "-M", "pc", "-m",
		"256", "-smp", "2", "-nodefaults", "-no-user-config", "-display", "none",
		"-no-reboot", "-serial", "file:/s/web.console.log", "-kernel", "/g/vmlinuz",
		"-initrd", "/g/initrd.img", "-append", "console=ttyS0 knhost=web", "-netdev",
		"tap,id=n0,fd=7,vhost=off", "-device",
		"virtio-net-pci,netdev=n0,mac=0a:01:02:03:04:00,romfile=", "-netdev",
		"tap,id=n1,fd=9,vhost=off", "-device",
		"virtio-net-pci,netdev=n1,mac=0a:01:02:03:04:01,romfile=", NULL,
	};
	char **argv = NULL;

	(void)state;
	assert_int_equal(lab_qemu_argv(&s, &argv), 0);
	assert_int_equal(argc_of(argv), ELEMENTSOF(expect) - 1);
	for (size_t i = 0; expect[i]; i++)
		assert_string_equal(argv[i], expect[i]);
	lab_qemu_argv_free(argv);

	/* KVM with the host's CPU; a disk as a throwaway overlay; no kernel, no -append */
	s.kvm = true;
	s.kernel = s.initrd = NULL;
	s.disk = "/img/db.qcow2";
	s.n_nics = 0;
	assert_int_equal(lab_qemu_argv(&s, &argv), 0);
	assert_string_equal(argv[find_arg(argv, "-accel") + 1], "kvm");
	assert_string_equal(argv[find_arg(argv, "-cpu") + 1], "host");
	assert_string_equal(argv[find_arg(argv, "-drive") + 1],
			    "file=/img/db.qcow2,if=virtio,snapshot=on");
	assert_int_equal(find_arg(argv, "-kernel"), -1);
	assert_int_equal(find_arg(argv, "-append"), -1);
	assert_int_equal(find_arg(argv, "-netdev"), -1);
	lab_qemu_argv_free(argv);

	/* the probe channel: a second serial port (ttyS1) on the daemon's listening socket */
	s.has_probe = true;
	s.probe_fd = 11;
	s.n_nics = LAB_NODE_NICS_MAX;
	s.kernel = "/g/vmlinuz";
	s.initrd = "/g/initrd.img";
	assert_int_equal(lab_qemu_argv(&s, &argv), 0);
	assert_string_equal(argv[find_arg(argv, "-chardev") + 1],
			    "socket,id=knprobe,fd=11,server=on,wait=off");
	assert_string_equal(argv[find_arg(argv, "-chardev") + 2], "-serial");
	assert_string_equal(argv[find_arg(argv, "-chardev") + 3], "chardev:knprobe");
	assert_string_equal(argv[find_arg(argv, "-chardev") - 1], "file:/s/web.console.log");
	lab_qemu_argv_free(argv);
	argv = NULL;
	s.probe_fd = -1;
	assert_int_equal(lab_qemu_argv(&s, &argv), -EINVAL);
	s.has_probe = false;
	s.kernel = s.initrd = NULL;
	s.n_nics = 0;

	/* refused: a comma (QEMU's separator) in a path, nothing to boot, no name, too many nics */
	argv = NULL;
	s.disk = "/img/a,b.qcow2";
	assert_int_equal(lab_qemu_argv(&s, &argv), -EINVAL);
	s.disk = NULL;
	assert_int_equal(lab_qemu_argv(&s, &argv), -EINVAL);
	s.disk = "/img/db.qcow2";
	s.name = "";
	assert_int_equal(lab_qemu_argv(&s, &argv), -EINVAL);
	s.name = "kl-shop-web";
	s.n_nics = LAB_NODE_NICS_MAX + 1;
	assert_int_equal(lab_qemu_argv(&s, &argv), -EINVAL);
	assert_null(argv);
}

static void test_missing_binary(void **state)
{
	struct lab_qemu_spec s = { .binary = "/nonexistent/qemu", .name = "x", .disk = "/d",
				   .memory_mib = 128, .console_log = "/dev/null" };
	struct lab_qemu_id id = { 0 };

	(void)state;
	assert_int_equal(lab_qemu_start(&s, &id), -ENOENT);
	s.binary = "kvmnet-no-such-qemu";
	assert_int_equal(lab_qemu_start(&s, &id), -ENOENT);
	assert_int_equal(id.pid, 0);
}

static void test_start_adopt_stop(void **state)
{
	struct nl_sock *nl = *state;
	struct tap_options o = { .name = "kn-qp0", .owner = (uid_t)-1, .queues = 1,
				 .vnet_hdr = true };
	char disk[128], con[128], log[128], ifname[IFNAMSIZ];
	struct lab_qemu_spec s = { .name = "kntest-proc", .memory_mib = 96, .cpus = 1,
				   .n_nics = 1, .macs = { { 0x0a, 0, 0, 0, 0, 1 } } };
	struct lab_qemu_id id = { 0 }, other;
	struct nl_link_info link;
	int fd, tap;

	snprintf(disk, sizeof(disk), "%s/disk.img", tmpdir);
	snprintf(con, sizeof(con), "%s/console.log", tmpdir);
	snprintf(log, sizeof(log), "%s/qemu.log", tmpdir);
	fd = open(disk, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	s.disk = disk;
	s.console_log = con;
	s.qemu_log = log;
	assert_int_equal(tap_create(nl, &o, ifname, &tap), 0);
	s.tap_fds[0] = tap;

	assert_int_equal(lab_qemu_start(&s, &id), 0);
	assert_true(id.pid > 0);
	assert_true(id.start_ticks > 0);
	/* the tap lives on in QEMU once ours is closed */
	safe_close(tap);
	usleep(300 * 1000);
	assert_true(lab_qemu_alive(&id, "kntest-proc"));
	assert_int_equal(nl_link_get_by_name(nl, ifname, &link), 0);
	/* not a child of ours: detached through a second fork */
	assert_int_equal(kill(id.pid, 0), 0);
	assert_int_not_equal(getsid(id.pid), getsid(0));
	assert_int_equal(waitpid(id.pid, NULL, WNOHANG), -1); /* ECHILD */

	/* another name, another start time: not ours */
	assert_false(lab_qemu_alive(&id, "kntest-other"));
	assert_false(lab_qemu_alive(&id, "kntest-pro"));
	other = id;
	other.start_ticks++;
	assert_false(lab_qemu_alive(&other, "kntest-proc"));
	/* stopping under a name it does not have leaves it alone */
	assert_int_equal(lab_qemu_stop(&id, "kntest-other"), 0);
	assert_true(lab_qemu_alive(&id, "kntest-proc"));

	assert_int_equal(lab_qemu_stop(&id, "kntest-proc"), 0);
	assert_false(lab_qemu_alive(&id, "kntest-proc"));
	/* the tap goes as QEMU's last fd closes, which may trail its exit by a moment */
	for (int i = 0; i < 200 && nl_link_get_by_name(nl, ifname, &link) == 0; i++)
		usleep(10 * 1000);
	assert_int_equal(nl_link_get_by_name(nl, ifname, &link), -ENODEV);
	/* again: nothing to do */
	assert_int_equal(lab_qemu_stop(&id, "kntest-proc"), 0);
	unlink(disk);
	unlink(con);
	unlink(log);
}

int main(void)
{
	static const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_missing_binary),
	};
	static const struct CMUnitTest kernel[] = {
		cmocka_unit_test(test_start_adopt_stop),
	};
	int r, r2;

	r = cmocka_run_group_tests(unit, NULL, NULL);
	if (r)
		return r;
	if (system("command -v " LAB_QEMU_BINARY " >/dev/null 2>&1") != 0) {
		fprintf(stderr, "skipping the process test: no %s (Debian package qemu-system-x86)\n",
			LAB_QEMU_BINARY);
		return 77;
	}
	r = kernel_test_enter_netns(true);
	if (r != 0)
		return r;
	if (!mkdtemp(tmpdir))
		return 1;
	r2 = cmocka_run_group_tests(kernel, kernel_test_nl_setup, kernel_test_nl_teardown);
	rmdir(tmpdir);
	return r2;
}
