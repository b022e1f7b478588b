/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Neighbor Discovery wire constants (RFC 4861, RFC 8106 for RDNSS/DNSSL). The codec works on
 * ICMPv6 messages as a raw IPPROTO_ICMPV6 socket hands them over: from the ICMPv6 header on,
 * checksum filled by the kernel.
 */
#ifndef KN_NDP_NDP_PROTO_H
#define KN_NDP_NDP_PROTO_H

#define NDP_ROUTER_SOLICIT 133
#define NDP_ROUTER_ADVERT 134
#define NDP_NEIGHBOR_SOLICIT 135
#define NDP_NEIGHBOR_ADVERT 136

/* Options: type, length in units of 8 octets (0 is invalid), value. */
#define NDP_OPT_SOURCE_LLADDR 1
#define NDP_OPT_TARGET_LLADDR 2
#define NDP_OPT_PREFIX_INFO 3
#define NDP_OPT_MTU 5
#define NDP_OPT_RDNSS 25
#define NDP_OPT_DNSSL 31

/* RA flags byte */
#define NDP_RA_FLAG_MANAGED 0x80
#define NDP_RA_FLAG_OTHER 0x40
/* prefix information flags byte */
#define NDP_PREFIX_FLAG_ONLINK 0x80
#define NDP_PREFIX_FLAG_AUTO 0x40
/* NA flags (first byte of the reserved word) */
#define NDP_NA_FLAG_ROUTER 0x80
#define NDP_NA_FLAG_SOLICITED 0x40
#define NDP_NA_FLAG_OVERRIDE 0x20

/* Every ND message arrives with IPv6 hop limit 255 (RFC 4861 §6.1.1, §7.1.1): else forged. */
#define NDP_HOP_LIMIT 255

/* Header sizes: RS 8, RA 16, NS/NA 24 octets. */
#define NDP_RS_HDR_LEN 8
#define NDP_RA_HDR_LEN 16
#define NDP_NS_HDR_LEN 24

#endif
