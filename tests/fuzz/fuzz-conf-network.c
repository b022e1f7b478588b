/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for definition files: any input either fails with a one-line error, or parses to
 * a config that formats and parses back to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-network.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct network_config c, back;
	char err[256], *text = NULL;

	if (network_config_parse((const char *)data, size, "fuzz", &c, err, sizeof(err)) < 0) {
		if (strchr(err, '\n'))
			abort();
		return 0;
	}
	if (network_config_format(&c, &text) < 0)
		abort();
	if (network_config_parse(text, strlen(text), c.name, &back, err, sizeof(err)) < 0)
		abort();
	if (!network_config_equal(&c, &back))
		abort();
	free(text);
	return 0;
}
