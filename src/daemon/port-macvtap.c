/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ports of macvtap networks (port-service-internal.h): a macvtap device over the network's
 * uplink per defined port, and its character device /dev/tapN (N = the device's ifindex) that
 * QEMU opens ('-netdev tap,fd=3 3<>/dev/tapN'). The node is made by devtmpfs/udev when present;
 * else it is made here from the device number in sysfs. Either way its owner and mode follow the
 * port's "owner" (0600, root or that uid).
 */
#include "port-service.h"
#include "port-service-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "config/conf-network.h"
#include "config/conf-port.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "netlink/nl-link.h"
#include "shared/fd-util.h"
#include "shared/log.h"

static uint32_t macvtap_kernel_mode(enum network_macvtap_mode m)
{
	switch (m) {
	case NETWORK_MACVTAP_VEPA:
		return MACVLAN_MODE_VEPA;
	case NETWORK_MACVTAP_PRIVATE:
		return MACVLAN_MODE_PRIVATE;
	case NETWORK_MACVTAP_PASSTHRU:
		return MACVLAN_MODE_PASSTHRU;
	default:
		return MACVLAN_MODE_BRIDGE;
	}
}

void port_service_random_guest_mac(uint8_t mac[6])
{
	/* QEMU's own prefix: the address is the guest's (a macvtap passes only frames for it) */
	mac[0] = 0x52, mac[1] = 0x54, mac[2] = 0x00;
	if (getrandom(mac + 3, 3, 0) != 3)
		for (size_t i = 3; i < 6; i++)
			mac[i] = (uint8_t)rand();
}

/* The device number of macvtap 'ifname' (ifindex 'ifindex'), from sysfs ("MAJOR:MINOR\n"). */
static int macvtap_devt(const char *ifname, int ifindex, dev_t *ret)
{
	char path[128], buf[32];
	unsigned maj, min;
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev", ifname, ifindex);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k = read(fd, buf, sizeof(buf) - 1);
	safe_close(fd);
	if (k <= 0)
		return k < 0 ? -errno : -EIO;
	buf[k] = '\0';
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -EIO;
	*ret = makedev(maj, min);
	return 0;
}

int port_macvtap_node(struct port *p, const struct network_port *def, char *err, size_t errlen)
{
	uid_t uid = def && def->has_owner ? (uid_t)def->owner : 0;
	struct stat st;
	dev_t devt = 0;
	int r;

	snprintf(p->dev_path, sizeof(p->dev_path), "/dev/tap%d", p->ifindex);
	r = macvtap_devt(p->name, p->ifindex, &devt);
	if (r < 0) {
		snprintf(err, errlen, "failed to read the device number of macvtap '%s': %s",
			 p->name, strerror(-r));
		return r;
	}
	if (lstat(p->dev_path, &st) == 0) {
		if (!S_ISCHR(st.st_mode) || st.st_rdev != devt) {
			snprintf(err, errlen, "'%s' exists and is not the device of macvtap '%s'",
				 p->dev_path, p->name);
			return -EEXIST;
		}
	} else if (errno != ENOENT) {
		r = -errno;
		snprintf(err, errlen, "failed to look at '%s': %s", p->dev_path, strerror(-r));
		return r;
	} else if (mknod(p->dev_path, S_IFCHR | 0600, devt) < 0 && errno != EEXIST) {
		/* no devtmpfs nor udev here: the node is ours to make */
		r = -errno;
		snprintf(err, errlen, "failed to create '%s': %s", p->dev_path, strerror(-r));
		return r;
	}
	if (chown(p->dev_path, uid, (gid_t)-1) < 0 || chmod(p->dev_path, 0600) < 0) {
		r = -errno;
		snprintf(err, errlen, "failed to set the owner of '%s': %s", p->dev_path,
			 strerror(-r));
		return r;
	}
	p->devt = devt;
	return 0;
}

void port_macvtap_node_remove(struct port *p)
{
	struct stat st;

	/* devtmpfs removes its node with the device; one made here (or left behind) goes now */
	if (p->dev_path[0] && lstat(p->dev_path, &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_rdev == p->devt)
		(void)unlink(p->dev_path);
	p->dev_path[0] = '\0';
}

int port_macvtap_create(struct port_service *ps, struct network *n, const struct network_port *def,
			int *ret_ifindex, char *err, size_t errlen)
{
	uint8_t mac[6];
	int ifindex = 0, r;

	if (def->has_mac)
		memcpy(mac, def->mac, 6);
	else
		port_service_random_guest_mac(mac);
	manager_links_settle(ps->m);   /* one on its way out may hold the name or the uplink */
	r = nl_macvtap_create(ps->m->nl, def->name, n->ifindex,
			      macvtap_kernel_mode(n->config.macvtap_mode), mac, &ifindex);
	if (r == -EEXIST)
		snprintf(err, errlen, "interface '%s' already exists", def->name);
	else if (r == -EBUSY && n->config.macvtap_mode == NETWORK_MACVTAP_PASSTHRU)
		snprintf(err, errlen, "uplink '%s' is already given to a passthrough macvtap",
			 n->config.uplink);
	else if (r < 0)
		snprintf(err, errlen, "failed to create macvtap '%s' on '%s': %s", def->name,
			 n->config.uplink, strerror(-r));
	if (r < 0)
		return r;
	r = nl_link_set_up(ps->m->nl, ifindex, true);
	if (r < 0) {
		snprintf(err, errlen, "failed to bring macvtap '%s' up: %s", def->name,
			 strerror(-r));
		(void)nl_link_delete(ps->m->nl, ifindex);
		return r;
	}
	*ret_ifindex = ifindex;
	return 0;
}
