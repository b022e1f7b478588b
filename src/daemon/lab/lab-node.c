/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of node kinds and what every kind shares (lab-node.h). */
#include "daemon/lab/lab-node.h"

#include <stdio.h>
#include <string.h>

#include "shared/alloc-util.h"

static const char *const state_names[_LAB_NODE_STATE_MAX] = {
	[LAB_NODE_STARTING] = "starting",
	[LAB_NODE_UP] = "up",
	[LAB_NODE_FAILED] = "failed",
	[LAB_NODE_GONE] = "gone",
};

const char *lab_node_state_to_string(enum lab_node_state s)
{
	return s >= 0 && s < _LAB_NODE_STATE_MAX ? state_names[s] : NULL;
}

/* One entry per kind; a kind another module has not built yet stays NULL (a clear error). */
static const struct lab_node_ops *const kinds[_LAB_NODE_KIND_MAX] = {
	[LAB_NODE_NETNS] = &lab_node_netns_ops,
	[LAB_NODE_QEMU] = &lab_node_qemu_ops,
};

const struct lab_node_ops *lab_node_ops_find(enum lab_node_kind kind)
{
	return kind >= 0 && kind < _LAB_NODE_KIND_MAX ? kinds[kind] : NULL;
}

/* FNV-1a, for names too long to spell out. */
static uint32_t name_hash(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (const char *p = a; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *p = b; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

void lab_node_ns_name(const char *lab, const char *node, char *buf, size_t size)
{
	if ((size_t)snprintf(buf, size, "kl-%s-%s", lab, node) < size && strlen(buf) <= 64)
		return;
	/* Too long for a namespace name (64): a prefix of each and a hash of both. */
	snprintf(buf, size, "kl-%.24s-%.24s-%08x", lab, node, name_hash(lab, node));
}

void lab_node_host_ifname(const char *lab, const char *node, size_t nic, char buf[IFNAMSIZ])
{
	snprintf(buf, IFNAMSIZ, "kl%08xn%u", name_hash(lab, node), (unsigned)(nic % 10));
}

void lab_node_mac(const char *lab, const char *node, size_t nic, uint8_t mac[6])
{
	uint32_t h = name_hash(lab, node);

	/* locally administered, unicast: 0a:XX:XX:XX:XX:NN */
	mac[0] = 0x0a;
	mac[1] = (uint8_t)(h >> 24);
	mac[2] = (uint8_t)(h >> 16);
	mac[3] = (uint8_t)(h >> 8);
	mac[4] = (uint8_t)h;
	mac[5] = (uint8_t)nic;
}
