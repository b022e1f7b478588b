/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qemu node kind (lab-node.h): a QEMU guest (lab-qemu-proc.h) with one tap per nic, named
 * as the engine names host ends and attached to the network's bridge like any port, its fd
 * handed to QEMU (the tap is not persistent: it goes when QEMU goes). The project's tiny guest
 * (tests/guest, built into the engine's guest folder by 'make guest') unless the node names its
 * own kernel/initrd/disk. Static addresses, the default route and the 'listen' ports reach the
 * tiny guest's /init as kernel parameters (knipI=, kngw=, knlisten=); DHCP nics get their
 * addresses from kvmnetd's own DHCP server, read from the network's leases by the nic's MAC. The
 * serial console goes to STATE_DIR/labs/LAB.NODE.console.log, QEMU's own messages to
 * LAB.NODE.qemu.log; both go at 'lab down'. A timer follows the guest and QEMU itself (a QEMU
 * that exits fails the node, with the last line of its log). The tiny guest's console is read
 * line by line up to its ready marker: each DHCP nic's lease as the guest reports it ("KVMNET-GUEST
 * nic ethI ip=A/N dhcp", shown by 'lab up' as it comes), a nic whose udhcpc gave up (the node
 * fails, naming it), then "KVMNET-GUEST ready"; the node is up only then, with the addresses the
 * guest holds (a lease the daemon bound but whose ACK the guest never saw is not an address).
 * Other guests' DHCP nics are followed in the network's leases by the nic's MAC. Checks from the
 * node run inside the tiny guest through its probe channel (lab-guest-probe.h): a second serial
 * port QEMU serves on STATE_DIR/labs/LAB.NODE.probe.sock, a socket the daemon makes and hands to
 * QEMU by fd; it goes at 'lab down' too.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/lab/lab-engine.h"
#include "daemon/lab/lab-guest-probe.h"
#include "daemon/lab/lab-node.h"
#include "daemon/lab/lab-qemu-proc.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/state-dir.h"
#include "event/event.h"
#include "lease/lease-store.h"
#include "lease/lease.h"
#include "netlink/nl-link.h"
#include "netlink/nl-tap.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"
#include "shared/log.h"

/* The tiny guest's marker once its nics are set up and its ports served (tests/guest/init). */
#define QEMU_READY_MARKER "KVMNET-GUEST ready"
#define QEMU_POLL_BOOT_USEC (250 * 1000ULL)
#define QEMU_POLL_UP_USEC (2000 * 1000ULL)
#define QEMU_PATH_MAX 4096
/* Longest console line looked at (the guest's marker lines are under 200 bytes). */
#define QEMU_LINE_MAX 256

struct qemu_data {
	struct lab_qemu_id id;
	char name[96];                  /* QEMU's -name: "kvmnet-lab:LAB:NODE" */
	char console[QEMU_PATH_MAX];
	char qemu_log[QEMU_PATH_MAX];
	char probe_path[QEMU_PATH_MAX]; /* the probe channel's socket (tiny guest) */
	struct lab_guest_probe *probe;  /* connected on the first check from the node */
	bool tiny;                      /* the project's guest: wait for its ready marker */
	bool ready;
	bool quiet;                     /* reading what a restarted daemon already showed */
	off_t console_off;              /* how far the console was read */
	char line[QEMU_LINE_MAX];       /* the console's line being read (up to console_off) */
	size_t line_len;                /* > sizeof(line) - 1: too long, skipped to its end */
	/* the tiny guest's DHCP nics as its console reports them */
	bool guest_leased[LAB_NODE_NICS_MAX];
	struct in_addr guest_addr[LAB_NODE_NICS_MAX];
	struct event_source *poll;
};

static struct qemu_data *qdata(struct lab_node_run *n)
{
	return n->kind_data;
}

static int data_new(struct lab_node_run *n)
{
	struct qemu_data *d;
	const char *state = state_dir_path(n->lab->m->state);

	if (n->kind_data)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	snprintf(d->name, sizeof(d->name), "kvmnet-lab:%s:%s", n->lab->name, n->conf->name);
	snprintf(d->console, sizeof(d->console), "%s/labs/%s.%s.console.log", state, n->lab->name,
		 n->conf->name);
	snprintf(d->qemu_log, sizeof(d->qemu_log), "%s/labs/%s.%s.qemu.log", state, n->lab->name,
		 n->conf->name);
	snprintf(d->probe_path, sizeof(d->probe_path), "%s/labs/%s.%s.probe.sock", state,
		 n->lab->name, n->conf->name);
	d->tiny = !n->conf->kernel && !n->conf->disk;
	n->kind_data = d;
	return 0;
}

static int qemu_plan(struct lab_node_run *n, json_t *record)
{
	json_t *ports = json_array();
	int r = data_new(n);

	if (r < 0) {
		json_decref(ports);
		return r;
	}
	for (size_t i = 0; ports && i < n->n_nics; i++)
		if (json_array_append_new(ports, json_string(n->nics[i].host_ifname)) < 0) {
			json_decref(ports);
			return -ENOMEM;
		}
	if (!ports || json_object_set_new(record, "ports", ports) < 0 ||
	    json_object_set_new(record, "qemu-name", json_string(qdata(n)->name)) < 0 ||
	    json_object_set_new(record, "console", json_string(qdata(n)->console)) < 0 ||
	    (qdata(n)->tiny &&
	     json_object_set_new(record, "probe-socket", json_string(qdata(n)->probe_path)) < 0))
		return -ENOMEM;
	return 0;
}

/* An image path of the node: absolute, or relative to the lab file's folder. */
static int image_path(struct lab_node_run *n, const char *p, char *buf, size_t size,
		      char *err, size_t errlen)
{
	const char *dir = n->lab->dir ? n->lab->dir : ".";

	if ((size_t)snprintf(buf, size, "%s%s%s", p[0] == '/' ? "" : dir, p[0] == '/' ? "" : "/",
			     p) >= size) {
		snprintf(err, errlen, "node %s: image path too long", n->conf->name);
		return -ENAMETOOLONG;
	}
	if (access(buf, R_OK) < 0) {
		snprintf(err, errlen, "node %s: cannot read %s: %s", n->conf->name, buf,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

struct qemu_images {
	char kernel[QEMU_PATH_MAX], initrd[QEMU_PATH_MAX], disk[QEMU_PATH_MAX];
	bool has_kernel, has_initrd, has_disk;
};

static int images_find(struct lab_node_run *n, struct qemu_images *im, char *err, size_t errlen)
{
	const char *guest = n->lab->engine->guest_dir;
	int r = 0;

	if (!n->conf->kernel && !n->conf->disk) {
		snprintf(im->kernel, sizeof(im->kernel), "%s/vmlinuz", guest);
		snprintf(im->initrd, sizeof(im->initrd), "%s/initrd.img", guest);
		if (access(im->kernel, R_OK) < 0 || access(im->initrd, R_OK) < 0) {
			snprintf(err, errlen, "node %s: the tiny guest is not built (no %s/vmlinuz "
				 "and initrd.img): run 'make guest', start kvmnetd with "
				 "--guest-dir, or give the node a kernel or disk", n->conf->name,
				 guest);
			return -ENOENT;
		}
		im->has_kernel = im->has_initrd = true;
		return 0;
	}
	if (n->conf->kernel) {
		r = image_path(n, n->conf->kernel, im->kernel, sizeof(im->kernel), err, errlen);
		im->has_kernel = r >= 0;
	}
	if (r >= 0 && n->conf->initrd) {
		r = image_path(n, n->conf->initrd, im->initrd, sizeof(im->initrd), err, errlen);
		im->has_initrd = r >= 0;
	}
	if (r >= 0 && n->conf->disk) {
		r = image_path(n, n->conf->disk, im->disk, sizeof(im->disk), err, errlen);
		im->has_disk = r >= 0;
	}
	return r;
}

static const struct network *nic_network(struct lab_node_run *n, const struct lab_nic_run *nic)
{
	const struct network *net = manager_find_network(n->lab->m, nic->conf->network);

	return net && net->active && net->ifindex > 0 ? net : NULL;
}

/* The kernel command line: the console, and what the tiny guest's /init reads (dots as '-'). */
static void kernel_args(struct lab_node_run *n, char *buf, size_t size)
{
	char ip[INET_ADDRSTRLEN];
	size_t off;

	off = (size_t)snprintf(buf, size, "console=ttyS0 quiet panic=-1 cryptomgr.notests "
			       "mitigations=off knhost=%s knnics=%zu", n->conf->name, n->n_nics);
	for (size_t i = 0; i < n->n_nics && off < size; i++) {
		const struct lab_nic_run *nic = &n->nics[i];
		const struct network *net = nic_network(n, nic);

		if (!nic->conf->has_ip || !net)
			continue;
		in_addr_to_string(nic->conf->ip, ip);
		for (char *p = ip; *p; p++)
			if (*p == '.')
				*p = '-';
		off += (size_t)snprintf(buf + off, size - off, " knip%zu=%s/%u", i, ip,
					net->config.subnet.prefixlen);
		if (i == 0 && net->config.gateway.s_addr) {
			in_addr_to_string(net->config.gateway, ip);
			for (char *p = ip; *p; p++)
				if (*p == '.')
					*p = '-';
			off += (size_t)snprintf(buf + off, size - off, " kngw=%s", ip);
		}
	}
	for (size_t i = 0; i < n->conf->n_listen && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%u", i ? "," : " knlisten=",
					n->conf->listen[i]);
}

/* The tap of nic 'nic', on its network's bridge and up; its fd in '*ret_fd'. */
static int tap_make(struct lab_node_run *n, struct lab_nic_run *nic, int *ret_fd, char *err,
		    size_t errlen)
{
	struct nl_sock *nl = n->lab->m->nl;
	const struct network *net = nic_network(n, nic);
	struct tap_options o = { .name = nic->host_ifname, .owner = (uid_t)-1, .queues = 1,
				 .vnet_hdr = true };
	struct nl_link_info li = { 0 };
	char name[IFNAMSIZ];
	const char *what = "create";
	int fd = -1, r;

	if (!net) {
		snprintf(err, errlen, "node %s: network %s is not up", n->conf->name,
			 nic->conf->network);
		return -ENETDOWN;
	}
	r = tap_create(nl, &o, name, &fd);
	if (r >= 0) {
		what = "find";
		r = nl_link_get_by_name(nl, name, &li);
	}
	if (r >= 0 && net->config.mtu) {
		what = "set the MTU of";
		r = nl_link_set_mtu(nl, li.ifindex, net->config.mtu);
	}
	if (r >= 0) {
		what = "attach";
		r = nl_link_set_master(nl, li.ifindex, net->ifindex);
	}
	if (r >= 0) {
		what = "bring up";
		r = nl_link_set_up(nl, li.ifindex, true);
	}
	if (r < 0) {
		snprintf(err, errlen, "node %s: cannot %s tap %s (network %s): %s", n->conf->name,
			 what, nic->host_ifname, net->config.name,
			 r == -EEXIST ? "it exists already" : strerror(-r));
		safe_close(fd); /* not persistent: closing the only fd deletes it */
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* The last non-empty line of file 'path' (at most 'size' - 1 bytes of it) into 'buf'. */
static void last_line(const char *path, char *buf, size_t size)
{
	char tail[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end;
	ssize_t len;
	char *p;

	buf[0] = '\0';
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	len = pread(fd, tail, sizeof(tail) - 1, end > (off_t)sizeof(tail) - 1
						       ? end - (off_t)sizeof(tail) + 1 : 0);
	close(fd);
	if (len <= 0)
		return;
	tail[len] = '\0';
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		tail[--len] = '\0';
	p = strrchr(tail, '\n');
	p = p ? p + 1 : tail;
	len = (ssize_t)strnlen(p, size - 1);
	memcpy(buf, p, (size_t)len);
	buf[len] = '\0';
}

/* "ethI" of one of the node's nics: I, else -1. */
static int console_nic(const struct lab_node_run *n, const char *p, const char **ret_end)
{
	char *end;
	unsigned long i;

	if (strncmp(p, "eth", 3) != 0 || p[3] < '0' || p[3] > '9')
		return -1;
	i = strtoul(p + 3, &end, 10);
	if (*end != ' ' || i >= n->n_nics)
		return -1;
	*ret_end = end + 1;
	return (int)i;
}

/*
 * One line of the tiny guest's console (tests/guest/init's markers). A nic's lease is noted
 * (and shown); a nic whose udhcpc gave up fails the node. Other lines are boot noise.
 */
static void console_line(struct lab_node_run *n, char *line, uint64_t now)
{
	struct qemu_data *d = qdata(n);
	const char *p, *rest;
	char ip[INET_ADDRSTRLEN + 4];
	struct in_addr a;
	int i;

	/* kernel messages may share the line: the marker is looked for anywhere in it */
	if (strstr(line, QEMU_READY_MARKER)) {
		d->ready = true;
		return;
	}
	p = strstr(line, "KVMNET-GUEST nic ");
	if (!p)
		return;
	i = console_nic(n, p + 17, &rest);
	if (i < 0 || n->nics[i].conf->has_ip)
		return;
	if (strncmp(rest, "ip=", 3) == 0) {
		/* "ip=A.B.C.D/N dhcp" */
		p = strchr(rest + 3, '/');
		if (!p || (size_t)(p - rest - 3) >= sizeof(ip) || !strchr(p, ' ') ||
		    strcmp(strchr(p, ' '), " dhcp") != 0)
			return;
		memcpy(ip, rest + 3, (size_t)(p - rest - 3));
		ip[p - rest - 3] = '\0';
		if (in_addr_from_string(ip, &a) < 0)
			return;
		d->guest_leased[i] = true;
		d->guest_addr[i] = a;
		if (!d->quiet)
			lab_event(n->lab, "node %s: %s leased %s by DHCP after %llu ms",
				  n->conf->name, n->nics[i].ifname, ip,
				  (unsigned long long)((now - n->started_usec) / 1000));
	} else if (strncmp(rest, "dhcp-start", 10) == 0 && !d->quiet) {
		lab_event(n->lab, "node %s: %s asking for a DHCP lease after %llu ms",
			  n->conf->name, n->nics[i].ifname,
			  (unsigned long long)((now - n->started_usec) / 1000));
	} else if (strncmp(rest, "dhcp-failed", 11) == 0 && n->state == LAB_NODE_STARTING) {
		snprintf(n->error, sizeof(n->error), "%s (network %s) got no DHCP lease: the "
			 "guest's udhcpc gave up (%.100s)", n->nics[i].ifname,
			 n->nics[i].conf->network, rest[11] == ' ' ? rest + 12 : "no details");
		n->state = LAB_NODE_FAILED;
		log_warning("Lab %s: node %s: %s", n->lab->name, n->conf->name, n->error);
	}
}

/*
 * Reads the tiny guest's console from where the last read ended up to its ready marker, line by
 * line (a line cut by the end of what QEMU wrote so far is kept for the next read).
 */
static void console_scan(struct lab_node_run *n, uint64_t now)
{
	struct qemu_data *d = qdata(n);
	char buf[4096];
	ssize_t len;
	int fd;

	if (d->ready)
		return;
	fd = open(d->console, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	while (!d->ready && n->state == LAB_NODE_STARTING &&
	       (len = pread(fd, buf, sizeof(buf), d->console_off)) > 0) {
		for (ssize_t i = 0; i < len && !d->ready; i++) {
			char c = buf[i];

			d->console_off++;
			if (c == '\n') {
				if (d->line_len < sizeof(d->line)) {
					d->line[d->line_len] = '\0';
					console_line(n, d->line, now);
				}
				d->line_len = 0;
			} else if (c != '\r' && c != '\0') {
				if (d->line_len < sizeof(d->line) - 1)
					d->line[d->line_len] = c;
				if (d->line_len < sizeof(d->line))
					d->line_len++;
			}
		}
	}
	close(fd);
}

/* A DHCP nic's address: the bound lease of its MAC (client identity 01:MAC, as udhcpc sends). */
static bool nic_leased(struct lab_node_run *n, struct lab_nic_run *nic)
{
	const struct network *net = manager_find_network(n->lab->m, nic->conf->network);
	uint8_t id[7] = { 1 };
	const struct lease *l;

	if (!net || !net->leases)
		return false;
	memcpy(id + 1, nic->mac, 6);
	l = lease_store_find_by_id(net->leases, id, sizeof(id));
	if (!l || l->state != LEASE_BOUND)
		return false;
	if (nic->has_addr && nic->addr.s_addr == l->ip.s_addr)
		return false;
	nic->has_addr = true;
	nic->addr = l->ip;
	nic->prefixlen = net->config.subnet.prefixlen;
	return true;
}

/*
 * A DHCP nic of the tiny guest at the address its console reported. The daemon's lease of the
 * nic's MAC should say the same: a different one is only logged (the guest holds what it holds).
 */
static void nic_guest_leased(struct lab_node_run *n, struct lab_nic_run *nic, struct in_addr a)
{
	const struct network *net = nic_network(n, nic);
	uint8_t id[7] = { 1 };
	const struct lease *l;
	char ip[INET_ADDRSTRLEN], ip2[INET_ADDRSTRLEN];

	memcpy(id + 1, nic->mac, 6);
	l = net->leases ? lease_store_find_by_id(net->leases, id, sizeof(id)) : NULL;
	if (!l || l->state != LEASE_BOUND || l->ip.s_addr != a.s_addr)
		log_warning("Lab %s: node %s: %s holds %s, but network %s's lease of its MAC is %s",
			    n->lab->name, n->conf->name, nic->ifname, in_addr_to_string(a, ip),
			    net->config.name,
			    l && l->state == LEASE_BOUND ? in_addr_to_string(l->ip, ip2) : "none");
	nic->has_addr = true;
	nic->addr = a;
	nic->prefixlen = net->config.subnet.prefixlen;
}

/*
 * Where the node's nics are: static ones as given, DHCP ones from the leases; the tiny guest's
 * only once it says it is ready (its nics set up, its ports served), its DHCP nics first from
 * what its console reported, then (renewals) from the leases. True when one changed, or the
 * node failed.
 */
static bool nics_update(struct lab_node_run *n, uint64_t now)
{
	struct qemu_data *d = qdata(n);
	bool changed = false;

	if (d->tiny) {
		console_scan(n, now);
		if (n->state == LAB_NODE_FAILED)
			return true;
		if (!d->ready)
			return false;
	}
	for (size_t i = 0; i < n->n_nics; i++) {
		struct lab_nic_run *nic = &n->nics[i];
		const struct network *net = nic_network(n, nic);

		if (!nic->conf->has_ip && d->tiny && !nic->has_addr) {
			if (!d->guest_leased[i] || !net)
				continue;
			nic_guest_leased(n, nic, d->guest_addr[i]);
			changed = true;
		} else if (!nic->conf->has_ip)
			changed |= nic_leased(n, nic);
		else if (!nic->has_addr && net) {
			nic->has_addr = true;
			nic->addr = nic->conf->ip;
			nic->prefixlen = net->config.subnet.prefixlen;
			changed = true;
		}
	}
	return changed;
}

static bool all_addressed(const struct lab_node_run *n)
{
	for (size_t i = 0; i < n->n_nics; i++)
		if (!n->nics[i].has_addr)
			return false;
	return true;
}

static int on_poll(struct event_source *s, uint64_t now, void *data)
{
	struct lab_node_run *n = data;
	struct qemu_data *d = qdata(n);
	char line[200];

	if (n->state == LAB_NODE_FAILED || n->state == LAB_NODE_GONE)
		return 0;
	if (!lab_qemu_alive(&d->id, d->name)) {
		last_line(d->qemu_log, line, sizeof(line));
		if (!line[0])
			last_line(d->console, line, sizeof(line));
		snprintf(n->error, sizeof(n->error), "QEMU (pid %d) exited%s%.200s", (int)d->id.pid,
			 line[0] ? ": " : "", line);
		n->state = LAB_NODE_FAILED;
		log_warning("Lab %s: node %s: %s", n->lab->name, n->conf->name, n->error);
		lab_node_changed(n);
		return 0;
	}
	if (nics_update(n, now)) {
		if (n->state == LAB_NODE_FAILED) {
			lab_node_changed(n);
			return 0;
		}
		if (d->tiny && n->state == LAB_NODE_STARTING)
			lab_event(n->lab, "node %s: guest ready after %llu ms", n->conf->name,
				  (unsigned long long)((now - n->started_usec) / 1000));
		lab_node_changed(n);
	}
	return event_source_set_time(s, now + (n->state == LAB_NODE_UP ? QEMU_POLL_UP_USEC
								   : QEMU_POLL_BOOT_USEC));
}

static int poll_start(struct lab_node_run *n)
{
	struct qemu_data *d = qdata(n);

	if (d->poll)
		return event_source_set_time(d->poll, now_usec() + QEMU_POLL_BOOT_USEC);
	return event_add_timer(n->lab->m->loop, now_usec() + QEMU_POLL_BOOT_USEC, on_poll, n,
			       &d->poll);
}

static int record_pid(struct lab_node_run *n, json_t *record)
{
	struct qemu_data *d = qdata(n);

	if (json_object_set_new(record, "pid", json_integer(d->id.pid)) < 0 ||
	    json_object_set_new(record, "start-ticks", json_integer((json_int_t)d->id.start_ticks)) <
		    0)
		return -ENOMEM;
	return 0;
}

static int qemu_start(struct lab_node_run *n, json_t *record, char *err, size_t errlen)
{
	struct qemu_images im = { 0 };
	struct lab_qemu_spec spec = { 0 };
	char append[1024];
	int fds[LAB_NODE_NICS_MAX], probe_fd = -1, r;
	size_t made = 0;
	struct qemu_data *d;

	r = data_new(n);
	if (r < 0)
		return r;
	d = qdata(n);
	r = images_find(n, &im, err, errlen);
	if (r < 0)
		return r;
	for (; made < n->n_nics; made++) {
		r = tap_make(n, &n->nics[made], &fds[made], err, errlen);
		if (r < 0)
			goto out;
	}
	if (d->tiny) {
		r = lab_guest_probe_listen(d->probe_path, &probe_fd);
		if (r < 0) {
			snprintf(err, errlen, "node %s: cannot make its probe socket %s: %s",
				 n->conf->name, d->probe_path, strerror(-r));
			goto out;
		}
	}
	kernel_args(n, append, sizeof(append));
	spec = (struct lab_qemu_spec){
		.name = d->name,
		.kernel = im.has_kernel ? im.kernel : NULL,
		.initrd = im.has_initrd ? im.initrd : NULL,
		.disk = im.has_disk ? im.disk : NULL,
		.append = append,
		.memory_mib = n->conf->memory_mib,
		.cpus = n->conf->cpus,
		.kvm = lab_qemu_kvm_usable(),
		.console_log = d->console,
		.qemu_log = d->qemu_log,
		.has_probe = probe_fd >= 0,
		.probe_fd = probe_fd,
		.n_nics = n->n_nics,
	};
	for (size_t i = 0; i < n->n_nics; i++) {
		spec.tap_fds[i] = fds[i];
		memcpy(spec.macs[i], n->nics[i].mac, 6);
	}
	(void)unlink(d->qemu_log);
	r = lab_qemu_start(&spec, &d->id);
	if (r < 0) {
		snprintf(err, errlen, "node %s: cannot start %s: %s", n->conf->name,
			 LAB_QEMU_BINARY,
			 r == -ENOENT ? "not found (Debian package qemu-system-x86)"
			 : r == -EINVAL ? "a path holds a comma, which QEMU options cannot carry"
					: strerror(-r));
		goto out;
	}
	r = record_pid(n, record);
	if (r >= 0)
		r = poll_start(n);
	if (r < 0)
		snprintf(err, errlen, "node %s: cannot follow its guest: %s", n->conf->name,
			 strerror(-r));
	else
		lab_event(n->lab, "node %s: QEMU started (pid %d, %s, %" PRIu32 " MiB, %s)",
			  n->conf->name, (int)d->id.pid, spec.kvm ? "kvm" : "tcg", spec.memory_mib,
			  d->tiny ? "the tiny guest" : "the node's images");
out:
	/* QEMU holds the taps and the probe socket now (or nobody does, and they are gone) */
	for (size_t i = 0; i < made; i++)
		safe_close(fds[i]);
	safe_close(probe_fd);
	return r;
}

static void qemu_release(struct lab_node_run *n)
{
	struct qemu_data *d = qdata(n);

	if (d) {
		d->poll = event_source_free(d->poll);
		d->probe = lab_guest_probe_free(d->probe);
	}
	free(d);
	n->kind_data = NULL;
}

static void qemu_stop(struct lab_node_run *n, json_t *record)
{
	struct lab_qemu_id id = {
		.pid = (pid_t)json_integer_value(json_object_get(record, "pid")),
		.start_ticks = (uint64_t)json_integer_value(json_object_get(record, "start-ticks")),
	};
	const char *name = json_string_value(json_object_get(record, "qemu-name"));
	const char *console = json_string_value(json_object_get(record, "console"));
	const char *probe = json_string_value(json_object_get(record, "probe-socket"));
	json_t *ports = json_object_get(record, "ports"), *p;
	char log[QEMU_PATH_MAX];
	size_t i;
	int r;

	qemu_release(n);
	if (id.pid > 0 && name) {
		r = lab_qemu_stop(&id, name);
		if (r < 0)
			log_warning_errno(r, "Lab %s: node %s: cannot stop QEMU (pid %d): %m",
					  n->lab->name, n->conf->name, (int)id.pid);
	}
	/* The taps went with QEMU; one left (QEMU never started, or a stuck one) goes now. */
	json_array_foreach(ports, i, p) {
		struct nl_link_info li;
		const char *tap = json_string_value(p);

		if (!tap || nl_link_get_by_name(n->lab->m->nl, tap, &li) < 0)
			continue;
		if (strcmp(li.kind, "tun") != 0) {
			log_warning("Lab %s: %s is no longer a tap, left alone", n->lab->name, tap);
			continue;
		}
		r = nl_link_delete(n->lab->m->nl, li.ifindex);
		if (r < 0 && r != -ENODEV)
			log_warning_errno(r, "Lab %s: cannot delete tap %s: %m", n->lab->name, tap);
	}
	if (probe)
		(void)unlink(probe);
	if (console) {
		(void)unlink(console);
		/* LAB.NODE.qemu.log beside LAB.NODE.console.log */
		size_t len = strlen(console);

		if (len > 12 && len < sizeof(log) &&
		    strcmp(console + len - 12, ".console.log") == 0) {
			snprintf(log, sizeof(log), "%.*s.qemu.log", (int)(len - 12), console);
			(void)unlink(log);
		}
	}
}

static int qemu_adopt(struct lab_node_run *n, json_t *record, char *err, size_t errlen)
{
	const char *name = json_string_value(json_object_get(record, "qemu-name"));
	struct nl_sock *nl = n->lab->m->nl;
	struct qemu_data *d;
	int r = data_new(n);

	if (r < 0)
		return r;
	d = qdata(n);
	d->id.pid = (pid_t)json_integer_value(json_object_get(record, "pid"));
	d->id.start_ticks = (uint64_t)json_integer_value(json_object_get(record, "start-ticks"));
	if (!name || strcmp(name, d->name) != 0) {
		snprintf(err, errlen, "node %s: its record names QEMU %s, not %s", n->conf->name,
			 name ? name : "(none)", d->name);
		return -EINVAL;
	}
	if (!lab_qemu_alive(&d->id, d->name)) {
		n->state = LAB_NODE_GONE;
		snprintf(n->error, sizeof(n->error), "QEMU (pid %d) is gone", (int)d->id.pid);
		return 0;
	}
	/* its taps: still there (QEMU holds them), put back on their bridges if they left */
	for (size_t i = 0; i < n->n_nics; i++) {
		const struct network *net = nic_network(n, &n->nics[i]);
		struct nl_link_info li;

		if (nl_link_get_by_name(nl, n->nics[i].host_ifname, &li) < 0 || !net)
			continue;
		if (li.master != net->ifindex)
			(void)nl_link_set_master(nl, li.ifindex, net->ifindex);
		(void)nl_link_set_up(nl, li.ifindex, true);
	}
	n->state = LAB_NODE_STARTING;
	d->quiet = true;
	(void)nics_update(n, now_usec());
	d->quiet = false;
	if (n->state == LAB_NODE_STARTING && all_addressed(n))
		n->state = LAB_NODE_UP;
	return poll_start(n);
}

static int qemu_to_json(const struct lab_node_run *n, json_t *o)
{
	const struct qemu_data *d = n->kind_data;

	if (!d)
		return 0;
	if (json_object_set_new(o, "pid", d->id.pid > 0 ? json_integer(d->id.pid) : json_null()) <
		    0 ||
	    json_object_set_new(o, "console", json_string(d->console)) < 0 ||
	    json_object_set_new(o, "guest", json_string(d->tiny ? "tiny" : "images")) < 0)
		return -ENOMEM;
	return 0;
}

static int qemu_probe(struct lab_node_run *n, struct lab_probe *p, char *err, size_t errlen)
{
	struct qemu_data *d = qdata(n);
	int r;

	if (!d || !d->tiny) {
		snprintf(err, errlen, "node %s boots its own images: checks from a qemu node need "
			 "the tiny guest's probe channel", n->conf->name);
		return -EOPNOTSUPP;
	}
	if (!d->probe) {
		r = lab_guest_probe_new(n->lab->m->loop, d->probe_path,
					LAB_GUEST_PROBE_RESEND_USEC, LAB_GUEST_PROBE_SLACK_USEC,
					&d->probe);
		if (r < 0) {
			snprintf(err, errlen, "%s", strerror(-r));
			return r;
		}
	}
	return lab_guest_probe_submit(d->probe, p, err, errlen);
}

static void qemu_probe_cancel(struct lab_node_run *n, struct lab_probe *p)
{
	struct qemu_data *d = qdata(n);

	if (d)
		lab_guest_probe_cancel(d->probe, p);
}

const struct lab_node_ops lab_node_qemu_ops = {
	.kind = LAB_NODE_QEMU,
	.plan = qemu_plan,
	.start = qemu_start,
	.stop = qemu_stop,
	.adopt = qemu_adopt,
	.to_json = qemu_to_json,
	.socket = NULL, /* checks from it run in the guest (probe) */
	.probe = qemu_probe,
	.probe_cancel = qemu_probe_cancel,
	.release = qemu_release,
};
