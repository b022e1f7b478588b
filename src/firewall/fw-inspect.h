/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The doctor's view of other firewalls: given the JSON listing of a namespace's whole ruleset
 * ('nft -j list ruleset'), which base chains outside table inet kvmnet would drop a network's
 * guest traffic, and the narrowest accept rules that would let it through. Pure: JSON in,
 * findings and nft script text out; nothing here talks to the kernel.
 *
 * The simulation is conservative. Four flows are followed through every base chain of family ip
 * or inet at hook forward (guest to outside, replies back) and input (DHCP and DNS from guests to
 * the host): conditions on iifname/oifname, ip saddr/daddr, ct state, the layer 4 protocol and
 * ports are evaluated; any other condition "may match". A drop, a reject or a drop policy reached
 * with only matched conditions is a certain finding; one behind a "may" is reported as "may".
 */
#ifndef KN_FIREWALL_FW_INSPECT_H
#define KN_FIREWALL_FW_INSPECT_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/in-addr-util.h"
#include "shared/strbuf.h"

/* The comment every rule added by 'doctor --fix' carries: "kvmnet-doctor:NAME". */
#define FW_DOCTOR_COMMENT_PREFIX "kvmnet-doctor:"

enum fw_flow {
	FW_FLOW_OUT,   /* forward: from the bridge to the outside, new connections */
	FW_FLOW_REPLY, /* forward: from the outside to the bridge, replies (routed: any) */
	FW_FLOW_DHCP,  /* input: DHCP requests from the bridge (udp 67) */
	FW_FLOW_DNS,   /* input: DNS queries from the bridge to the gateway (udp/tcp 53) */
	_FW_FLOW_MAX,
};

/* What the doctor knows of one network. */
struct fw_inspect_net {
	const char *name;
	const char *bridge;
	const char *uplink;     /* "" = unknown: the outside is assumed to be no named interface */
	struct in_prefix subnet;
	struct in_addr gateway;
	bool forward;           /* nat or routed: guests reach the outside */
	bool routed;            /* routed: the outside may open connections to guests */
	bool dhcp;
	bool dns;
};

struct fw_finding {
	char family[8];
	char table[64];
	char chain[64];         /* the base chain */
	char rule_chain[64];    /* the chain holding the rule ("" for a policy) */
	uint64_t handle;        /* the rule's handle; 0 for a policy drop */
	char text[256];         /* the rule rendered back ("policy drop" for a policy) */
	enum fw_flow flow;
	bool may;               /* the drop depends on a condition the doctor cannot evaluate */
	const char *owner;      /* "Docker", "firewalld", "ufw" or NULL, guessed from the names */
	/* Where 'doctor --fix' puts its accept rule. */
	char fix_chain[64];
};

struct fw_findings {
	struct fw_finding *items;
	size_t n;
};

void fw_findings_done(struct fw_findings *f);

/* The flow's name in JSON ("out", "reply", "dhcp", "dns") and its words in text. */
const char *fw_flow_to_string(enum fw_flow flow);
const char *fw_flow_describe(enum fw_flow flow);

/*
 * Appends to 'out' the findings for 'net' in 'ruleset' (the root object of 'nft -j list
 * ruleset'). Table inet kvmnet is skipped. Returns 0, -EINVAL when 'ruleset' is not such a
 * listing, -ENOMEM.
 */
int fw_inspect(json_t *ruleset, const struct fw_inspect_net *net, struct fw_findings *out);

/* One line for a finding, starting with "NET: ", ending with what to do (no newline). */
int fw_finding_format(const struct fw_finding *f, const struct fw_inspect_net *net,
		      struct strbuf *sb);

/*
 * Appends to 'sb' the nft commands ("insert rule ...") that make every finding of 'f' go away:
 * one accept per target chain and flow, each with comment "kvmnet-doctor:NAME", skipping what
 * such a rule already accepts. Calls 'chain_cb' once per chain written to (for the record).
 * 'ruleset' is the listing 'f' came from. Returns the number of rules rendered, -EINVAL, -ENOMEM.
 */
typedef int (*fw_fix_chain_fn)(const char *family, const char *table, const char *chain,
			       void *data);
int fw_inspect_render_fix(json_t *ruleset, const struct fw_findings *f, const struct fw_inspect_net *net,
			  struct strbuf *sb, fw_fix_chain_fn chain_cb, void *data);

/*
 * Appends to 'sb' one "delete rule F T C handle H" per rule of 'listing' (the JSON of 'list
 * chain F T C' or of a whole ruleset) whose comment is exactly "kvmnet-doctor:NAME". Returns
 * the number of rules, or -ENOMEM.
 */
int fw_inspect_render_cleanup(json_t *listing, const char *name, struct strbuf *sb);

#endif
