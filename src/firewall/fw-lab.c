/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loss of lab nics in table bridge kvmnet_lab (layout in fw-lab.h). Removing what may be
 * absent is written "add X; delete X" in one transaction, as fw-port does: nft 1.0.6 has no
 * 'destroy' command.
 */
#include "firewall/fw-lab.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firewall/fw-apply.h"
#include "shared/alloc-util.h"
#include "shared/ifname-util.h"
#include "shared/strbuf.h"

#define FW_LAB_TABLE "bridge " FW_LAB_TABLE_NAME

static const char fw_lab_base[] =
	"add table " FW_LAB_TABLE "\n"
	"add map " FW_LAB_TABLE " loss { type ifname : verdict; }\n"
	"add chain " FW_LAB_TABLE " out { type filter hook postrouting priority 0; "
	"policy accept; }\n"
	"flush chain " FW_LAB_TABLE " out\n"
	"add rule " FW_LAB_TABLE " out oifname vmap @loss\n";

int fw_lab_render_loss(const char *ifname, uint32_t loss, char **ret)
{
	_cleanup_(strbuf_done) struct strbuf sb;
	int r;

	strbuf_init(&sb);
	/* the ifname rule keeps it a bare identifier in "l_IFNAME" and safe inside quotes */
	if (!ifname_is_valid(ifname) || loss > FW_LAB_LOSS_MAX)
		return -EINVAL;
	r = strbuf_append(&sb, fw_lab_base);
	if (r < 0)
		return r;
	if (loss == FW_LAB_LOSS_MAX)
		/* numgen ... mod 10000 is 0..9999: nft refuses "< 10000" as out of range */
		r = strbuf_appendf(&sb,
				   "add chain " FW_LAB_TABLE " l_%1$s\n"
				   "flush chain " FW_LAB_TABLE " l_%1$s\n"
				   "add rule " FW_LAB_TABLE " l_%1$s counter drop\n"
				   "add element " FW_LAB_TABLE " loss { \"%1$s\" : jump l_%1$s }\n",
				   ifname);
	else if (loss)
		r = strbuf_appendf(&sb,
				   "add chain " FW_LAB_TABLE " l_%1$s\n"
				   "flush chain " FW_LAB_TABLE " l_%1$s\n"
				   "add rule " FW_LAB_TABLE " l_%1$s numgen random mod %2$u < %3$" PRIu32
				   " counter drop\n"
				   "add element " FW_LAB_TABLE " loss { \"%1$s\" : jump l_%1$s }\n",
				   ifname, FW_LAB_LOSS_MAX, loss);
	else
		r = strbuf_appendf(&sb,
				   "add chain " FW_LAB_TABLE " l_%1$s\n"
				   "add element " FW_LAB_TABLE " loss { \"%1$s\" : jump l_%1$s }\n"
				   "delete element " FW_LAB_TABLE " loss { \"%1$s\" }\n"
				   "delete chain " FW_LAB_TABLE " l_%1$s\n",
				   ifname);
	if (r < 0)
		return r;
	return strbuf_steal(&sb, ret);
}

int fw_lab_render_reset(char **ret)
{
	char *s = strdup("add table " FW_LAB_TABLE "\ndelete table " FW_LAB_TABLE "\n");

	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

/*
 * The loss one rule stands for: N of "numgen random mod 10000 < N ... drop", FW_LAB_LOSS_MAX for
 * a plain "drop", 0 for anything else.
 */
static uint32_t fw_lab_rule_loss(json_t *expr)
{
	uint32_t loss = FW_LAB_LOSS_MAX;
	bool drop = false;
	json_t *e;
	size_t i;

	json_array_foreach(expr, i, e) {
		json_t *m = json_object_get(e, "match");
		json_t *ng = json_object_get(json_object_get(m, "left"), "numgen");
		json_t *right = json_object_get(m, "right");

		drop = drop || json_object_get(e, "drop");
		if (!m)
			continue;
		/* any other match is a rule of someone else's making */
		if (!ng || !json_is_integer(right) ||
		    json_integer_value(json_object_get(ng, "mod")) != FW_LAB_LOSS_MAX ||
		    json_integer_value(right) < 1 || json_integer_value(right) >= FW_LAB_LOSS_MAX)
			return 0;
		loss = (uint32_t)json_integer_value(right);
	}
	return drop ? loss : 0;
}

int fw_lab_loss_get(struct fw_ctx *ctx, const char *ifname, uint32_t *ret)
{
	_cleanup_(json_decrefp) json_t *doc = NULL;
	_cleanup_free_ char *text = NULL;
	char cmd[128];
	json_t *items, *it;
	size_t i;
	int r;

	if (!ifname_is_valid(ifname))
		return -EINVAL;
	*ret = 0;
	snprintf(cmd, sizeof(cmd), "list chain " FW_LAB_TABLE " l_%s", ifname);
	r = fw_list_json(ctx, cmd, &text);
	if (r == -EIO)
		return 0; /* no such chain (or table): no loss */
	if (r < 0)
		return r;
	doc = json_loads(text, 0, NULL);
	if (!doc)
		return -ENOMEM;
	items = json_object_get(doc, "nftables");
	json_array_foreach(items, i, it) {
		json_t *rule = json_object_get(it, "rule");

		if (rule) {
			*ret = fw_lab_rule_loss(json_object_get(rule, "expr"));
			if (*ret)
				break;
		}
	}
	return 0;
}
