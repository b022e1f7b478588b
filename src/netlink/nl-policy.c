/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Attribute validation against the policy tables of nl-policy.h, on top of libmnl's
 * mnl_attr_validate(). Unlike mnl_attr_parse(), which stops quietly at the first attribute whose
 * length does not fit, a malformed tail here makes the whole message -EBADMSG.
 */
#include "netlink/nl-policy.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>

static int nl_policy_check(const struct nlattr *attr, const struct nl_policy *p)
{
	static const enum mnl_attr_data_type mnl_type[_NL_POLICY_TYPE_MAX] = {
		[NL_POLICY_U8] = MNL_TYPE_U8,
		[NL_POLICY_U16] = MNL_TYPE_U16,
		[NL_POLICY_U32] = MNL_TYPE_U32,
		[NL_POLICY_U64] = MNL_TYPE_U64,
		[NL_POLICY_STRING] = MNL_TYPE_NUL_STRING,
		[NL_POLICY_FLAG] = MNL_TYPE_FLAG,
		[NL_POLICY_NESTED] = MNL_TYPE_NESTED,
		[NL_POLICY_BINARY] = MNL_TYPE_BINARY,
	};
	uint16_t len = mnl_attr_get_payload_len(attr);

	assert(p->type < _NL_POLICY_TYPE_MAX);

	switch (p->type) {
	case NL_POLICY_UNSPEC:
		return 0;
	case NL_POLICY_BINARY:
		if (p->len && len != p->len)
			return -EBADMSG;
		return 0;
	case NL_POLICY_STRING:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return -EBADMSG;
		if (p->len && strnlen(mnl_attr_get_str(attr), len) >= p->len)
			return -EBADMSG;
		return 0;
	default:
		return mnl_attr_validate(attr, mnl_type[p->type]) < 0 ? -EBADMSG : 0;
	}
}

/* Walks the 'len' bytes of attributes at 'attr'. */
static int nl_policy_walk(const struct nlattr *attr, int len, const struct nl_policy *policy,
			  uint16_t max, const struct nlattr **tb)
{
	int r;

	memset(tb, 0, (max + 1) * sizeof(*tb));

	/* mnl_attr_ok() checks 'len' before it reads the header, and that nla_len fits in 'len' */
	while (mnl_attr_ok(attr, len)) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type <= max) {
			r = nl_policy_check(attr, &policy[type]);
			if (r < 0)
				return r;
			tb[type] = attr;
		}
		len -= MNL_ALIGN(attr->nla_len);
		attr = mnl_attr_next(attr);
	}

	/*
	 * What is left is either nothing, the up to 3 bytes of padding a sender may leave off the
	 * last attribute (len is then negative or 1..3), or an attribute header whose length is
	 * too short or runs past the end: the message is malformed.
	 */
	if (len >= (int)sizeof(struct nlattr))
		return -EBADMSG;
	return 0;
}

int nl_policy_parse(const struct nlmsghdr *nlh, size_t hdrlen, const struct nl_policy *policy,
		    uint16_t max, const struct nlattr **tb)
{
	const char *start, *end;

	assert(nlh);
	assert(policy);
	assert(tb);

	if (nlh->nlmsg_len < mnl_nlmsg_size(hdrlen))
		return -EBADMSG;

	start = mnl_nlmsg_get_payload_offset(nlh, hdrlen);
	end = (const char *)nlh + nlh->nlmsg_len;
	/* the family header's alignment padding may be missing when there are no attributes */
	if (start > end)
		start = end;

	return nl_policy_walk((const struct nlattr *)start, (int)(end - start), policy, max, tb);
}

int nl_policy_parse_nested(const struct nlattr *nest, const struct nl_policy *policy,
			   uint16_t max, const struct nlattr **tb)
{
	assert(nest);
	assert(policy);
	assert(tb);

	return nl_policy_walk(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), policy,
			      max, tb);
}
