/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interface names as kvmnet accepts them, wherever they come from (a definition, the API, the
 * kernel's own list of a bridge's ports).
 */
#ifndef KN_SHARED_IFNAME_UTIL_H
#define KN_SHARED_IFNAME_UTIL_H

#include <stdbool.h>

/*
 * True for 1..15 characters of [A-Za-z0-9_.-], other than "." and "..". Narrower than the
 * kernel's rules on purpose: names travel into INI files (';' starts a comment), the kernel's own
 * templates ('%d') and nft text, where these are safe inside "..." (no '"' to end the string, no
 * '*' wildcard) and in bare object names such as d_IFNAME, which nft 1.0.6 lexes as one
 * identifier for exactly these characters after a letter. Real interface names do not use others.
 */
bool ifname_is_valid(const char *ifname);

#endif
