/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads fw-render's scripts into the kernel through libnftables and reads back which networks
 * are installed. Output and errors are always buffered in the nft_ctx, so nothing nft says ever
 * reaches the daemon's stderr; errors come back as one line of text.
 */
#include "firewall/fw-apply.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>
#include <unistd.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <nftables/libnftables.h>

#include "config/conf-network.h"
#include "firewall/fw-model.h"
#include "shared/alloc-util.h"

static int fw_table_exists_listed(struct fw_ctx *ctx, int *ret);

struct fw_ctx {
	struct nft_ctx *nft;
};

struct fw_ctx *fw_ctx_free(struct fw_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (ctx->nft)
		nft_ctx_free(ctx->nft);
	free(ctx);
	return NULL;
}

DEFINE_FREE_FUNC(struct fw_ctx, fw_ctx_free)

int fw_ctx_new(struct fw_ctx **ret)
{
	_cleanup_(fw_ctx_freep) struct fw_ctx *ctx = NULL;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx->nft)
		return -ENOMEM;
	if (nft_ctx_buffer_output(ctx->nft) != 0 || nft_ctx_buffer_error(ctx->nft) != 0)
		return -ENOMEM;
	/* Terse listings leave out set and map elements, which the read-back never needs. */
	nft_ctx_output_set_flags(ctx->nft,
				 nft_ctx_output_get_flags(ctx->nft) | NFT_CTX_OUTPUT_TERSE);

	*ret = TAKE_PTR(ctx);
	return 0;
}

/*
 * Runs 'cmd'. The buffers are fetched after every run, which also resets them, so a stale error
 * never shows up with a later command. The returned pointers live until the next run.
 */
static int fw_run(struct fw_ctx *ctx, const char *cmd, const char **ret_out, const char **ret_err)
{
	const char *out, *err;
	int r;

	r = nft_run_cmd_from_buffer(ctx->nft, cmd);
	out = nft_ctx_get_output_buffer(ctx->nft);
	err = nft_ctx_get_error_buffer(ctx->nft);
	if (ret_out)
		*ret_out = out ? out : "";
	if (ret_err)
		*ret_err = err ? err : "";
	return r;
}

/*
 * nft reports an error as three lines: "Error: ...", a line of the script and a caret line. For
 * buffers, libnftables 1.0.6 prints the script's first line there whatever line failed (and no
 * "FILE:LINE:COL" prefix), so only the "Error:" line is worth keeping. Falls back to the first
 * non-empty line.
 */
static char *fw_error_line(const char *err)
{
	const char *start, *end;

	start = strstr(err, "Error:");
	if (start) {
		while (start > err && start[-1] != '\n')
			start--;
	} else {
		start = err + strspn(err, "\n");
		if (*start == '\0')
			start = "nft failed without a message";
	}
	end = strchrnul(start, '\n');
	return strndup(start, end - start);
}

int fw_apply(struct fw_ctx *ctx, const char *script, char **reterr_msg)
{
	const char *err;

	if (fw_run(ctx, script, NULL, &err) == 0)
		return 0;
	if (reterr_msg) {
		char *m = fw_error_line(err);

		if (!m)
			return -ENOMEM;
		*reterr_msg = m;
	}
	return -EINVAL;
}

/* Strips leading tabs and spaces; nft indents its listings with tabs. */
static const char *skip_blank(const char *s)
{
	return s + strspn(s, " \t");
}

/*
 * The JSON flag also makes libnftables try to parse the input as JSON first; it falls back to
 * nft syntax silently, so 'cmd' can stay plain text.
 */
int fw_list_json(struct fw_ctx *ctx, const char *cmd, char **ret)
{
	unsigned int flags = nft_ctx_output_get_flags(ctx->nft);
	const char *out;
	char *copy;
	int r;

	nft_ctx_output_set_flags(ctx->nft, (flags & ~NFT_CTX_OUTPUT_TERSE) | NFT_CTX_OUTPUT_JSON);
	r = fw_run(ctx, cmd, &out, NULL);
	nft_ctx_output_set_flags(ctx->nft, flags);
	if (r != 0)
		return -EIO;
	copy = strdup(out);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

/*
 * One NFT_MSG_GETTABLE for 'family'/'name', without libnftables: nft 1.0.6 answers any listing,
 * "list tables" included, from a cache it fills by dumping every table, chain, rule and set
 * element of the host, which grows with the number of networks. The answer is a NEWTABLE message
 * or an error (ENOENT: no such table).
 */
int fw_table_lookup(int family, const char *name)
{
	struct {
		struct nlmsghdr nlh;
		struct nfgenmsg nfg;
		struct nlattr attr;
		char name[64];
	} req = { 0 };
	_Alignas(struct nlmsghdr) char buf[8192];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	size_t len = strlen(name) + 1;
	int fd, r;
	ssize_t k;

	if (len > sizeof(req.name))
		return -EINVAL;
	req.nlh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.nlh.nlmsg_seq = 1;
	req.nfg.nfgen_family = (uint8_t)family;
	req.nfg.version = NFNETLINK_V0;
	req.attr.nla_type = NFTA_TABLE_NAME;
	req.attr.nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy(req.name, name, len);
	req.nlh.nlmsg_len = (uint32_t)NLMSG_ALIGN(NLMSG_LENGTH(sizeof(req.nfg)) +
						   NLA_ALIGN(req.attr.nla_len));

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		goto out;
	}
	k = recv(fd, buf, sizeof(buf), 0);
	if (k < 0) {
		r = -errno;
		goto out;
	}
	r = -EIO;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)k);
	     h = NLMSG_NEXT(h, k)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			r = e->error == -ENOENT ? 0 : e->error < 0 ? e->error : -EIO;
			break;
		}
		if (h->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE)) {
			r = 1;
			break;
		}
	}
out:
	close(fd);
	return r;
}

int fw_table_exists(struct fw_ctx *ctx, int *ret)
{
	int r = fw_table_lookup(FW_FAMILY_INET, FW_TABLE_NAME);

	if (r >= 0) {
		*ret = r;
		return 0;
	}
	return fw_table_exists_listed(ctx, ret);
}

/* The fallback when netlink is refused: read it from nft's listing. */
static int fw_table_exists_listed(struct fw_ctx *ctx, int *ret)
{
	const char *out, *line;

	if (fw_run(ctx, "list tables inet", &out, NULL) != 0)
		return -EIO;

	for (line = out; *line; line = strchrnul(line, '\n'), line += *line == '\n') {
		static const char want[] = "table inet " FW_TABLE_NAME;
		const char *s = skip_blank(line);
		size_t len = strchrnul(s, '\n') - s;

		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == strlen(want) && memcmp(s, want, len) == 0) {
			*ret = 1;
			return 0;
		}
	}
	*ret = 0;
	return 0;
}
