/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libFuzzer entry point every fuzz-*.c defines; fuzz-replay.c drives it without libFuzzer. */
#ifndef KN_TESTS_FUZZ_H
#define KN_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
