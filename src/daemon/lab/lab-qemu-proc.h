/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU processes of lab nodes (kind = qemu, docs/LABS.md): the command line, the start (QEMU is
 * detached: a double fork leaves it a child of init, so a restarted daemon finds it in the same
 * state as the one that started it), its identity for re-adoption (PID, start time and the
 * "-name" argument of /proc/PID/cmdline) and its stop. Knows no labs or networks: the caller gives
 * the taps' fds and MACs.
 */
#ifndef KN_DAEMON_LAB_LAB_QEMU_PROC_H
#define KN_DAEMON_LAB_LAB_QEMU_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/conf-lab.h"

#define LAB_QEMU_BINARY "qemu-system-x86_64"
/* How long a stop waits for QEMU to end after SIGTERM before SIGKILL. */
#define LAB_QEMU_STOP_USEC (3ULL * 1000000ULL)

struct lab_qemu_spec {
	const char *binary;            /* LAB_QEMU_BINARY when NULL (found through PATH) */
	const char *name;              /* "-name": identifies the process on re-adoption */
	const char *kernel, *initrd;   /* absolute paths; kernel NULL = boot 'disk' */
	const char *disk;              /* absolute path or NULL; used with snapshot=on */
	const char *append;            /* kernel parameters (with 'kernel'), may be NULL */
	uint32_t memory_mib, cpus;
	bool kvm;                      /* -accel kvm, else tcg */
	const char *console_log;       /* the serial console is written to this file */
	const char *qemu_log;          /* QEMU's own stdout and stderr */
	bool has_probe;                /* a second serial port (ttyS1) served on 'probe_fd' */
	int probe_fd;                  /* a listening unix socket (lab-guest-probe.h) */
	size_t n_nics;
	int tap_fds[LAB_NODE_NICS_MAX];   /* opened taps (IFF_VNET_HDR or not) */
	uint8_t macs[LAB_NODE_NICS_MAX][6];
};

/* What identifies a started QEMU: its PID and its start time (field 22 of /proc/PID/stat). */
struct lab_qemu_id {
	pid_t pid;
	uint64_t start_ticks;
};

/*
 * The command line for 'spec' (NULL-terminated, every string and the array malloc'd: free with
 * lab_qemu_argv_free()). Returns 0, -EINVAL (no name, no kernel and no disk, a path with a comma,
 * which QEMU's option syntax cannot carry, or more nics than LAB_NODE_NICS_MAX) or -ENOMEM.
 */
int lab_qemu_argv(const struct lab_qemu_spec *spec, char ***ret);
void lab_qemu_argv_free(char **argv);

/* Whether this host can run guests with KVM: /dev/kvm opens read-write. */
bool lab_qemu_kvm_usable(void);

/*
 * Starts QEMU for 'spec', detached (new session, stdin /dev/null, stdout and stderr appended to
 * 'qemu_log', no fd of the daemon's but the taps and the probe socket), and returns its identity.
 * The taps' and the probe socket's fds stay the caller's to close. Returns 0; -ENOENT when the binary is not found (checked before the
 * fork), or -errno.
 */
int lab_qemu_start(const struct lab_qemu_spec *spec, struct lab_qemu_id *ret);

/*
 * Whether 'id' is still the QEMU named 'name': the process exists, is not a zombie, has the same
 * start time and "-name NAME" among its arguments. False when any of that cannot be read.
 */
bool lab_qemu_alive(const struct lab_qemu_id *id, const char *name);

/* The start time of 'pid' into 'ret': 0, or -ESRCH / -errno. */
int lab_qemu_start_ticks(pid_t pid, uint64_t *ret);

/*
 * Stops the QEMU 'id' named 'name' (nothing when it is not that process any more): SIGTERM, then
 * SIGKILL after LAB_QEMU_STOP_USEC; returns once it is gone (or a zombie). Returns 0 or -errno.
 */
int lab_qemu_stop(const struct lab_qemu_id *id, const char *name);

#endif
