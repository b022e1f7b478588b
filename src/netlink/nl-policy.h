/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarative netlink attribute policies (after systemd's netlink-types-rtnl.c): one table per
 * attribute space says what each attribute must look like, and one call checks a message or a
 * nest against it. Internal to src/netlink: nl-link, nl-addr and nl-route parse with it.
 */
#ifndef KN_NETLINK_NL_POLICY_H
#define KN_NETLINK_NL_POLICY_H

#include <stddef.h>
#include <stdint.h>

struct nlattr;
struct nlmsghdr;

enum nl_policy_type {
	NL_POLICY_UNSPEC,     /* not checked */
	NL_POLICY_U8,
	NL_POLICY_U16,
	NL_POLICY_U32,
	NL_POLICY_U64,
	NL_POLICY_STRING,     /* NUL-terminated; shorter than 'len' bytes when 'len' is set */
	NL_POLICY_FLAG,       /* no payload */
	NL_POLICY_NESTED,     /* empty, or at least one attribute header */
	NL_POLICY_BINARY,     /* exactly 'len' bytes when 'len' is set, anything otherwise */
	_NL_POLICY_TYPE_MAX,
};

struct nl_policy {
	enum nl_policy_type type;
	uint16_t len;         /* see enum nl_policy_type; 0 = no length rule */
};

/*
 * Checks the attributes after the 'hdrlen'-byte family header of 'nlh' (ifinfomsg, ifaddrmsg,
 * ...) against 'policy' (max + 1 entries, indexed by attribute type) and points 'tb[type]' at
 * each one. 'tb' (max + 1 entries) is cleared first; types above 'max' are skipped, as is the
 * NLA_F_NESTED bit; of repeated attributes the last one wins. 'nlh' must be readable for its
 * nlmsg_len bytes and 4-byte aligned; nothing outside them is read. The pointers in 'tb' borrow
 * from 'nlh'. Returns 0, or -EBADMSG when the family header is truncated, an attribute breaks
 * its policy, or an attribute's length runs past the end of the message.
 */
int nl_policy_parse(const struct nlmsghdr *nlh, size_t hdrlen, const struct nl_policy *policy,
		    uint16_t max, const struct nlattr **tb);

/* Same as nl_policy_parse() for the attributes inside 'nest', which must be a validated nest. */
int nl_policy_parse_nested(const struct nlattr *nest, const struct nl_policy *policy,
			   uint16_t max, const struct nlattr **tb);

#endif
