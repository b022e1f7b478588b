/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Impairments of lab nics on their host ends (lab-impair.h). */
#include "daemon/lab/lab-impair.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/fw-apply.h"
#include "firewall/fw-lab.h"
#include "netlink/nl-qdisc.h"
#include "shared/alloc-util.h"

static const struct lab_impair lab_impair_none;

bool lab_impair_needs_netem(const struct lab_impair *imp)
{
	return imp->delay_usec != 0 || imp->jitter_usec != 0;
}

static int lab_impair_netem_missing(const char *node, const char *network, char *err,
				    size_t errlen)
{
	int r = nl_netem_probe();

	if (r < 0) {
		snprintf(err, errlen, "node %s: nic %s: cannot probe for netem: %s", node, network,
			 strerror(-r));
		return r;
	}
	if (r == 0) {
		snprintf(err, errlen,
			 "node %s: nic %s: delay needs the kernel's netem qdisc (sch_netem), which "
			 "this kernel lacks",
			 node, network);
		return -EOPNOTSUPP;
	}
	return 0;
}

int lab_impair_check(const struct lab_impair *imp, const char *node, const char *network,
		     char *err, size_t errlen)
{
	if (!lab_impair_needs_netem(imp))
		return 0;
	return lab_impair_netem_missing(node, network, err, errlen);
}

int lab_impair_check_lab(const struct lab_config *c, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		for (size_t j = 0; j < c->nodes[i].n_nics; j++) {
			const struct lab_nic *nic = &c->nodes[i].nics[j];

			/* the first nic with a delay settles it for the whole lab */
			if (lab_impair_needs_netem(&nic->impair))
				return lab_impair_netem_missing(c->nodes[i].name, nic->network, err,
								errlen);
		}
	return 0;
}

static int lab_impair_loss(struct fw_ctx *fw, const char *ifname, uint32_t loss, char *err,
			   size_t errlen)
{
	_cleanup_free_ char *script = NULL, *msg = NULL;
	int r;

	r = fw_lab_render_loss(ifname, loss, &script);
	if (r == 0)
		r = fw_apply(fw, script, &msg);
	if (r < 0)
		snprintf(err, errlen, "%s: cannot set the loss: %s", ifname,
			 msg ? msg : strerror(-r));
	return r;
}

static bool lab_impair_same_qdisc(const struct lab_impair *a, const struct lab_impair *b)
{
	return a->rate_kbit == b->rate_kbit && a->delay_usec == b->delay_usec &&
	       a->jitter_usec == b->jitter_usec;
}

static int lab_impair_qdisc(struct nl_sock *nl, const char *ifname, int ifindex,
			    const struct lab_impair *imp, char *err, size_t errlen)
{
	uint64_t bps = (uint64_t)imp->rate_kbit * 1000;
	const char *what;
	int r;

	if (lab_impair_needs_netem(imp)) {
		what = "delay";
		r = nl_netem_set(nl, ifindex, imp->delay_usec, imp->jitter_usec, bps);
	} else if (bps) {
		what = "rate";
		r = nl_rate_limit_set(nl, ifindex, bps);
	} else {
		what = "qdisc";
		r = nl_rate_limit_clear(nl, ifindex);
	}
	if (r == -EOPNOTSUPP)
		snprintf(err, errlen, "%s: cannot set the %s: the kernel lacks %s", ifname, what,
			 lab_impair_needs_netem(imp) ? "netem (sch_netem)" : "tbf (sch_tbf)");
	else if (r < 0)
		snprintf(err, errlen, "%s: cannot set the %s: %s", ifname, what, strerror(-r));
	return r;
}

int lab_impair_apply(struct nl_sock *nl, struct fw_ctx *fw, const char *ifname, int ifindex,
		     const struct lab_impair *old, const struct lab_impair *imp, char *err,
		     size_t errlen)
{
	char ignored[256];
	int r;

	if (!old)
		old = &lab_impair_none;
	if (imp->loss != old->loss) {
		r = lab_impair_loss(fw, ifname, imp->loss, err, errlen);
		if (r < 0)
			return r;
	}
	if (lab_impair_same_qdisc(old, imp))
		return 0;
	r = lab_impair_qdisc(nl, ifname, ifindex, imp, err, errlen);
	if (r < 0 && imp->loss != old->loss)
		(void)lab_impair_loss(fw, ifname, old->loss, ignored, sizeof(ignored));
	return r;
}

int lab_impair_remove(struct fw_ctx *fw, const char *ifname)
{
	char ignored[256];

	return lab_impair_loss(fw, ifname, 0, ignored, sizeof(ignored));
}

int lab_impair_reset(struct fw_ctx *fw)
{
	_cleanup_free_ char *script = NULL;
	int r;

	r = fw_lab_render_reset(&script);
	if (r < 0)
		return r;
	return fw_apply(fw, script, NULL);
}
