/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tap devices for guests: made with the /dev/net/tun ioctls (the only interface that gives a tap
 * an owner, a virtio-net header and queues) and read back over rtnetlink, where the kernel
 * reports them as kind "tun". nl-link deletes them; nl-qdisc puts rate limits on them.
 */
#include "netlink/nl-tap.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-link.h"
#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"
#include "shared/fd-util.h"

#define TAP_TUN_PATH "/dev/net/tun"

static const struct nl_policy tap_link_policy[IFLA_MAX + 1] = {
	[IFLA_CARRIER] = { NL_POLICY_U8, 0 },
	[IFLA_LINKINFO] = { NL_POLICY_NESTED, 0 },
};

static const struct nl_policy tap_linkinfo_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { NL_POLICY_STRING, 0 },
	[IFLA_INFO_DATA] = { NL_POLICY_NESTED, 0 },
};

static const struct nl_policy tap_tun_policy[IFLA_TUN_MAX + 1] = {
	[IFLA_TUN_OWNER] = { NL_POLICY_U32, 0 },
	[IFLA_TUN_TYPE] = { NL_POLICY_U8, 0 },
	[IFLA_TUN_VNET_HDR] = { NL_POLICY_U8, 0 },
	[IFLA_TUN_PERSIST] = { NL_POLICY_U8, 0 },
	[IFLA_TUN_MULTI_QUEUE] = { NL_POLICY_U8, 0 },
	[IFLA_TUN_NUM_QUEUES] = { NL_POLICY_U32, 0 },
};

/*
 * A name is exact, or a template with one "%d" that the kernel replaces with the lowest free
 * number (dev_alloc_name() refuses any other conversion). Sets '*ret_template'.
 */
static int tap_name_check(const char *name, bool *ret_template)
{
	const char *p;

	if (!name || !name[0] || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	p = strchr(name, '%');
	if (p && (p[1] != 'd' || strchr(p + 2, '%')))
		return -EINVAL;
	*ret_template = p != NULL;
	return 0;
}

static void tap_close_all(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		fds[i] = safe_close(fds[i]);
}

/*
 * Opens one queue of the tap named in 'ifr' (creating the device on the first call); on success
 * the kernel has written the device's actual name into ifr->ifr_name.
 */
static int tap_open_queue(struct ifreq *ifr, int *ret_fd)
{
	int fd;

	fd = open(TAP_TUN_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, TUNSETIFF, ifr) < 0) {
		int r = -errno;

		safe_close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int tap_create(struct nl_sock *nl, const struct tap_options *o, char ret_name[IFNAMSIZ],
	       int *ret_fds)
{
	int fds[TAP_QUEUES_MAX];
	struct ifreq ifr = { 0 };
	unsigned int n = 0;
	bool template;
	int flags, r;

	assert(nl);
	assert(o);
	assert(ret_name);

	r = tap_name_check(o->name, &template);
	if (r < 0)
		return r;
	if (o->queues < 1 || o->queues > TAP_QUEUES_MAX)
		return -EINVAL;
	/* closing the only fds of a non-persistent tap deletes it again */
	if (!ret_fds && !o->persist)
		return -EINVAL;

	/*
	 * TUNSETIFF on the name of an existing tap attaches to it instead of failing, so look
	 * first, to answer -EEXIST for any kind of link. A template names no existing link.
	 */
	if (!template) {
		struct nl_link_info link;

		r = nl_link_get_by_name(nl, o->name, &link);
		if (r == 0)
			return -EEXIST;
		if (r != -ENODEV)
			return r;
	}

	/* IFF_TUN_EXCL closes the race with a device made since: -EBUSY for any existing one */
	flags = IFF_TAP | IFF_NO_PI;
	if (o->vnet_hdr)
		flags |= IFF_VNET_HDR;
	if (o->queues > 1)
		flags |= IFF_MULTI_QUEUE;
	ifr.ifr_flags = (short)(flags | IFF_TUN_EXCL); /* ifr_flags is a short: 0x8000 wraps */
	strcpy(ifr.ifr_name, o->name); /* checked: shorter than IFNAMSIZ */

	r = tap_open_queue(&ifr, &fds[0]);
	if (r == -EBUSY)
		return -EEXIST;
	if (r < 0)
		return r;
	n = 1;

	/* from here on, closing the fds of the still non-persistent device deletes it */
	if (o->owner != (uid_t)-1 && ioctl(fds[0], TUNSETOWNER, (unsigned long)o->owner) < 0) {
		r = -errno;
		goto fail;
	}

	/* the other queues attach to the device by its actual name, which the kernel wrote
	 * back into 'ifr' (a template is expanded); TUNSETIFF wants the same feature flags */
	ifr.ifr_flags = (short)flags;
	for (; n < o->queues; n++) {
		r = tap_open_queue(&ifr, &fds[n]);
		if (r < 0)
			goto fail;
	}

	/* last, so that a failure above leaves nothing behind */
	if (o->persist && ioctl(fds[0], TUNSETPERSIST, 1UL) < 0) {
		r = -errno;
		goto fail;
	}

	memcpy(ret_name, ifr.ifr_name, IFNAMSIZ);
	ret_name[IFNAMSIZ - 1] = '\0';
	if (ret_fds)
		memcpy(ret_fds, fds, n * sizeof(fds[0]));
	else
		tap_close_all(fds, n);
	return 0;

fail:
	tap_close_all(fds, n);
	return r;
}

struct tap_get {
	struct tap_info info;
	bool found;
};

/*
 * Fills 'i' from the IFLA_INFO_DATA of kind "tun" (tun_fill_info() in drivers/net/tun.c) and
 * the link's carrier.
 */
static int tap_parse_tun_data(const struct nlattr *data, const struct nlattr *carrier,
			      struct tap_info *i)
{
	const struct nlattr *tb[IFLA_TUN_MAX + 1];
	int r;

	r = nl_policy_parse_nested(data, tap_tun_policy, IFLA_TUN_MAX, tb);
	if (r < 0)
		return r;
	if (!tb[IFLA_TUN_TYPE])
		return -EBADMSG;

	i->is_tap = mnl_attr_get_u8(tb[IFLA_TUN_TYPE]) == IFF_TAP;
	i->persist = tb[IFLA_TUN_PERSIST] && mnl_attr_get_u8(tb[IFLA_TUN_PERSIST]);
	i->vnet_hdr = tb[IFLA_TUN_VNET_HDR] && mnl_attr_get_u8(tb[IFLA_TUN_VNET_HDR]);
	i->multi_queue = tb[IFLA_TUN_MULTI_QUEUE] && mnl_attr_get_u8(tb[IFLA_TUN_MULTI_QUEUE]);
	/*
	 * The kernel counts queues only for a multiqueue device. A single-queue one has its carrier
	 * on while its queue is attached (tun_attach() and __tun_detach() switch it).
	 */
	if (tb[IFLA_TUN_NUM_QUEUES])
		i->queues = mnl_attr_get_u32(tb[IFLA_TUN_NUM_QUEUES]);
	else if (!i->multi_queue && carrier)
		i->queues = mnl_attr_get_u8(carrier) ? 1 : 0;
	/* only sent when the tap has an owner */
	if (tb[IFLA_TUN_OWNER])
		i->owner = mnl_attr_get_u32(tb[IFLA_TUN_OWNER]);
	return 0;
}

static int tap_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *kind;
	struct tap_get *g = data;
	struct tap_info i = { .owner = (uid_t)-1 };
	int r;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	r = nl_policy_parse(nlh, sizeof(struct ifinfomsg), tap_link_policy, IFLA_MAX, tb);
	if (r < 0)
		return r;

	if (tb[IFLA_LINKINFO]) {
		r = nl_policy_parse_nested(tb[IFLA_LINKINFO], tap_linkinfo_policy, IFLA_INFO_MAX,
					   info);
		if (r < 0)
			return r;
		kind = info[IFLA_INFO_KIND];
		if (kind && strcmp(mnl_attr_get_str(kind), "tun") == 0) {
			/* tun reports IFLA_INFO_DATA since Linux 4.15 */
			if (!info[IFLA_INFO_DATA])
				return -EOPNOTSUPP;
			r = tap_parse_tun_data(info[IFLA_INFO_DATA], tb[IFLA_CARRIER], &i);
			if (r < 0)
				return r;
		}
	}

	g->info = i;
	g->found = true;
	return 0;
}

int tap_get_info(struct nl_sock *nl, int ifindex, struct tap_info *ret)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct tap_get g = { .found = false };
	struct ifinfomsg *ifi;
	int r;

	assert(nl);
	assert(ret);

	if (ifindex <= 0)
		return -EINVAL;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);

	r = nl_sock_transact(nl, nlh, tap_get_cb, &g);
	if (r < 0)
		return r;
	if (!g.found)
		return -EPROTO;
	*ret = g.info;
	return 0;
}
