/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the firewall tests share: golden files (tests/unit/data, KVMNET_UPDATE_GOLDEN=1 rewrites
 * them), and, for the kernel tests, listing the kernel's ruleset as an outside observer would.
 * Failures end the current cmocka test.
 */
#ifndef KN_TESTS_FW_TEST_UTIL_H
#define KN_TESTS_FW_TEST_UTIL_H

#include <stddef.h>

struct fw_ctx;

/* The whole file at 'path' as a string (free()), or NULL if it cannot be opened. */
char *fw_test_read_file(const char *path);

/* 'text' must equal the golden file 'file' of $KVMNET_TEST_DATA. */
void fw_test_check_golden(const char *file, const char *text);

/* The output of nft command 'cmd' run through a separate plain nft_ctx, or NULL if it fails. */
char *fw_test_nft_list(const char *cmd);

/* How many times 'needle' occurs in 'haystack', without overlaps. */
size_t fw_test_count(const char *haystack, const char *needle);

/* fw_apply() of 'script' must succeed. */
void fw_test_apply_ok(struct fw_ctx *ctx, const char *script);

#endif
