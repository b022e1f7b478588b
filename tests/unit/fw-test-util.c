/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "fw-test-util.h"

#include "firewall/fw-apply.h"
#include "shared/alloc-util.h"

char *fw_test_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long size;

	if (!f)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc(size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, size, f), (size_t)size);
	buf[size] = '\0';
	fclose(f);
	return buf;
}

void fw_test_check_golden(const char *file, const char *text)
{
	const char *dir = getenv("KVMNET_TEST_DATA"), *update = getenv("KVMNET_UPDATE_GOLDEN");
	_cleanup_free_ char *path = NULL, *want = NULL;

	assert_non_null(dir);
	assert_true(asprintf(&path, "%s/%s", dir, file) >= 0);
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "we");

		assert_non_null(f);
		assert_int_equal(fputs(text, f) >= 0, 1);
		assert_int_equal(fclose(f), 0);
		return;
	}
	want = fw_test_read_file(path);
	if (!want)
		fail_msg("missing golden file %s (KVMNET_UPDATE_GOLDEN=1 writes it)", path);
	assert_string_equal(text, want);
}

char *fw_test_nft_list(const char *cmd)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	char *out = NULL;

	assert_non_null(nft);
	assert_int_equal(nft_ctx_buffer_output(nft), 0);
	assert_int_equal(nft_ctx_buffer_error(nft), 0);
	if (nft_run_cmd_from_buffer(nft, cmd) == 0) {
		out = strdup(nft_ctx_get_output_buffer(nft));
		assert_non_null(out);
	}
	nft_ctx_free(nft);
	return out;
}

size_t fw_test_count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

void fw_test_apply_ok(struct fw_ctx *ctx, const char *script)
{
	_cleanup_free_ char *err = NULL;
	int r = fw_apply(ctx, script, &err);

	if (r < 0)
		fail_msg("fw_apply: %d %s\n%s", r, err ? err : "(no message)", script);
}
