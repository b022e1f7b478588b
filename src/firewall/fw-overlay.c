/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of fw-overlay.h: scripts for table bridge kvmnet_overlay. */
#include "firewall/fw-overlay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shared/alloc-util.h"
#include "shared/ifname-util.h"
#include "shared/in-addr-util.h"
#include "shared/strbuf.h"

#define FW_OVERLAY_TABLE "bridge " FW_OVERLAY_TABLE_NAME

/* The base chains' rules are rewritten in every transaction: never duplicated. */
static const char fw_overlay_base[] =
	"add table " FW_OVERLAY_TABLE "\n"
	"add map " FW_OVERLAY_TABLE " ovl { type ifname : verdict; }\n"
	"add chain " FW_OVERLAY_TABLE " ov_input { type filter hook input priority 0; policy accept; }\n"
	"add chain " FW_OVERLAY_TABLE " ov_forward { type filter hook forward priority 0; "
	"policy accept; }\n"
	"add chain " FW_OVERLAY_TABLE " ov_output { type filter hook output priority 0; "
	"policy accept; }\n"
	"flush chain " FW_OVERLAY_TABLE " ov_input\n"
	"flush chain " FW_OVERLAY_TABLE " ov_forward\n"
	"flush chain " FW_OVERLAY_TABLE " ov_output\n"
	"add rule " FW_OVERLAY_TABLE " ov_input iifname vmap @ovl\n"
	"add rule " FW_OVERLAY_TABLE " ov_forward iifname vmap @ovl\n"
	"add rule " FW_OVERLAY_TABLE " ov_forward oifname vmap @ovl\n"
	"add rule " FW_OVERLAY_TABLE " ov_output oifname vmap @ovl\n";

static int render_remove(struct strbuf *sb, const char *ifname)
{
	/* added first so that deleting them cannot fail when they are absent */
	return strbuf_appendf(sb,
			      "add chain " FW_OVERLAY_TABLE " o_%1$s\n"
			      "add element " FW_OVERLAY_TABLE " ovl { \"%1$s\" : jump o_%1$s }\n"
			      "delete element " FW_OVERLAY_TABLE " ovl { \"%1$s\" }\n"
			      "delete chain " FW_OVERLAY_TABLE " o_%1$s\n", ifname);
}

int fw_overlay_render(const struct fw_overlay *o, char **ret)
{
	_cleanup_(strbuf_done) struct strbuf sb;
	char gw[INET_ADDRSTRLEN], mac[18];
	const char *n = o->ifname;
	int r;

	strbuf_init(&sb);
	/* the ifname rule keeps it a bare identifier in "o_IFNAME" and safe inside quotes */
	if (!ifname_is_valid(n))
		return -EINVAL;
	r = strbuf_append(&sb, fw_overlay_base);
	if (r == 0 && !o->block_dhcp && !o->anycast)
		r = render_remove(&sb, n);
	else if (r == 0)
		r = strbuf_appendf(&sb,
				   "add chain " FW_OVERLAY_TABLE " o_%1$s\n"
				   "flush chain " FW_OVERLAY_TABLE " o_%1$s\n", n);
	if (r == 0 && o->block_dhcp)
		r = strbuf_appendf(&sb, "add rule " FW_OVERLAY_TABLE " o_%s udp dport { 67, 68 } "
				   "counter drop\n", n);
	if (r == 0 && o->anycast) {
		const uint8_t *m = o->gateway_mac;

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		in_addr_to_string(o->gateway, gw);
		r = strbuf_appendf(&sb,
				   "add rule " FW_OVERLAY_TABLE " o_%1$s arp daddr ip %2$s counter drop\n"
				   "add rule " FW_OVERLAY_TABLE " o_%1$s arp saddr ip %2$s counter drop\n"
				   "add rule " FW_OVERLAY_TABLE " o_%1$s ether saddr %3$s counter drop\n"
				   "add rule " FW_OVERLAY_TABLE " o_%1$s ether daddr %3$s counter drop\n",
				   n, gw, mac);
	}
	if (r == 0 && (o->block_dhcp || o->anycast))
		r = strbuf_appendf(&sb, "add element " FW_OVERLAY_TABLE " ovl { \"%1$s\" : "
				   "jump o_%1$s }\n", n);
	if (r < 0)
		return r;
	return strbuf_steal(&sb, ret);
}

int fw_overlay_render_delete(const char *ifname, char **ret)
{
	_cleanup_(strbuf_done) struct strbuf sb;
	int r;

	strbuf_init(&sb);
	if (!ifname_is_valid(ifname))
		return -EINVAL;
	r = strbuf_append(&sb, fw_overlay_base);
	if (r == 0)
		r = render_remove(&sb, ifname);
	if (r < 0)
		return r;
	return strbuf_steal(&sb, ret);
}
