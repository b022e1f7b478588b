/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of fw-forward.h: the text of the forward maps, their base chains and their
 * elements. Nothing here reads the kernel; fw-apply loads the scripts.
 */
#include "firewall/fw-forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-forward.h"
#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "shared/alloc-util.h"
#include "shared/strbuf.h"

#define FW_TABLE "inet " FW_TABLE_NAME

static const char fw_forward_base[] =
	"add map " FW_TABLE " fwd_any { type inet_proto . inet_service : "
	"ipv4_addr . inet_service; }\n"
	"add map " FW_TABLE " fwd_addr { type ipv4_addr . inet_proto . inet_service : "
	"ipv4_addr . inet_service; }\n"
	"add chain " FW_TABLE " fwd_pre { type nat hook prerouting priority dstnat; "
	"policy accept; }\n"
	"add chain " FW_TABLE " fwd_output { type nat hook output priority -100; "
	"policy accept; }\n"
	"flush chain " FW_TABLE " fwd_pre\n"
	"add rule " FW_TABLE " fwd_pre dnat ip to ip daddr . meta l4proto . th dport map @fwd_addr\n"
	"add rule " FW_TABLE " fwd_pre meta nfproto ipv4 fib daddr type local "
	"dnat ip to meta l4proto . th dport map @fwd_any\n"
	"flush chain " FW_TABLE " fwd_output\n"
	"add rule " FW_TABLE " fwd_output ip daddr != 127.0.0.0/8 "
	"dnat ip to ip daddr . meta l4proto . th dport map @fwd_addr\n"
	"add rule " FW_TABLE " fwd_output ip daddr != 127.0.0.0/8 fib daddr type local "
	"dnat ip to meta l4proto . th dport map @fwd_any\n";

static bool forward_is_renderable(const struct network_forward *f)
{
	unsigned n;

	if ((f->proto != FORWARD_PROTO_TCP && f->proto != FORWARD_PROTO_UDP) || f->host_port_first == 0 ||
	    f->host_port_first > f->host_port_last || f->to_port_first == 0)
		return false;
	n = (unsigned)f->host_port_last - f->host_port_first + 1;
	return n <= FORWARD_RANGE_MAX &&
	       (unsigned)f->to_port_last - f->to_port_first + 1 == n;
}

/* "add|delete element inet kvmnet MAP { KEY : VALUE, ... }" for every port of 'f'. */
static int append_elements(struct strbuf *sb, const struct network_forward *f, bool delete)
{
	/* Spelled here: the firewall library does not link the config library's code. */
	const char *proto = f->proto == FORWARD_PROTO_TCP ? "tcp" : "udp";
	char host[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN];
	unsigned n = (unsigned)f->host_port_last - f->host_port_first + 1;
	int r;

	if (!forward_is_renderable(f))
		return -EINVAL;
	in_addr_to_string(f->to_addr, to);
	if (f->has_host_address)
		in_addr_to_string(f->host_address, host);
	r = strbuf_appendf(sb, "%s element " FW_TABLE " %s { ", delete ? "delete" : "add",
			   f->has_host_address ? "fwd_addr" : "fwd_any");
	for (unsigned i = 0; r >= 0 && i < n; i++) {
		unsigned hp = f->host_port_first + i, tp = f->to_port_first + i;

		if (r >= 0 && f->has_host_address)
			r = strbuf_appendf(sb, "%s . ", host);
		if (r >= 0)
			r = strbuf_appendf(sb, "%s . %u", proto, hp);
		if (r >= 0 && !delete)
			r = strbuf_appendf(sb, " : %s . %u", to, tp);
		if (r >= 0)
			r = strbuf_append(sb, i + 1 < n ? ", " : " }\n");
	}
	return r;
}

int fw_forward_render_sync(const struct fw_forward_network *nets, size_t n, char **ret)
{
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	int r;

	r = strbuf_append(&sb, fw_render_declarations);
	if (r >= 0)
		r = strbuf_append(&sb, fw_forward_base);
	if (r >= 0)
		r = strbuf_append(&sb, "flush map " FW_TABLE " fwd_any\n"
				       "flush map " FW_TABLE " fwd_addr\n");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		for (size_t j = 0; r >= 0 && nets[i].forwards && j < nets[i].forwards->n; j++)
			r = append_elements(&sb, &nets[i].forwards->items[j], false);
	}
	if (r < 0)
		return r;
	return strbuf_steal(&sb, ret);
}

int fw_forward_render_elements(const struct network_forward *f, bool delete, char **ret)
{
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	int r;

	/* An element is added before it is deleted, so a delete succeeds whether or not it was there. */
	r = append_elements(&sb, f, false);
	if (r >= 0 && delete)
		r = append_elements(&sb, f, true);
	if (r < 0)
		return r;
	return strbuf_steal(&sb, ret);
}
