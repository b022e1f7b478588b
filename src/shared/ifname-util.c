/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "shared/ifname-util.h"

#include <net/if.h>
#include <string.h>

bool ifname_is_valid(const char *ifname)
{
	size_t n;

	if (!ifname)
		return false;
	n = strnlen(ifname, IFNAMSIZ);
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	if (strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0)
		return false;
	return strspn(ifname, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "abcdefghijklmnopqrstuvwxyz"
			      "0123456789_.-") == n;
}
