/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the answers of the tiny guest's probe channel (daemon/lab/lab-guest-probe.h),
 * the bytes a guest controls: every line of the input is parsed as a result line. What a parse
 * returns must lie inside the line, a result line written again from it must parse back to the
 * same, and its detail must fit the buffer whatever the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lab/lab-guest-probe.h"
#include "fuzz.h"

static const char *const status_names[] = { "error", "closed", "open" };

static void check_line(const char *line, size_t len)
{
	const char *what, *text, *what2, *text2;
	size_t what_len, what_len2;
	char again[1200], detail[48];
	uint32_t id, id2;
	int st, st2;

	if (!lab_guest_probe_parse(line, &id, &what, &what_len, &st, &text))
		return;
	if (id == 0 || st < -1 || st > 1 || what < line || what + what_len > line + len ||
	    text < line || text > line + len || what_len == 0 || memchr(what, ' ', what_len))
		abort();
	snprintf(again, sizeof(again), "KNRESULT %u %.*s %s%s%s", id, (int)what_len, what,
		 status_names[st + 1], *text ? " " : "", text);
	if (!lab_guest_probe_parse(again, &id2, &what2, &what_len2, &st2, &text2) || id2 != id ||
	    st2 != st || what_len2 != what_len || memcmp(what2, what, what_len) != 0 ||
	    strcmp(text2, text) != 0)
		abort();
	for (int tcp = 0; tcp < 2; tcp++) {
		lab_guest_probe_detail(text, tcp, 2, detail, sizeof(detail));
		if (!memchr(detail, '\0', sizeof(detail)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[1024];

	/* lines as the channel cuts them: at '\n' or '\r', at most 511 bytes, no NUL inside */
	for (size_t i = 0; i < size;) {
		size_t k = 0;

		while (i < size && data[i] != '\n' && data[i] != '\r') {
			if (data[i] && k < 511)
				line[k++] = (char)data[i];
			i++;
		}
		i++;
		line[k] = '\0';
		check_line(line, k);
	}
	return 0;
}
