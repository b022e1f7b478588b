/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A lab's state names and progress lines (lab.h). */
#include "daemon/lab/lab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/log.h"

static const char *const lab_state_names[_LAB_STATE_MAX] = {
	[LAB_STARTING] = "starting",
	[LAB_CHECKING] = "checking",
	[LAB_UP] = "up",
	[LAB_FAILED] = "failed",
};

const char *lab_state_to_string(enum lab_state s)
{
	return s >= 0 && s < _LAB_STATE_MAX ? lab_state_names[s] : NULL;
}

void lab_event(struct lab *l, const char *fmt, ...)
{
	char buf[512], **ev;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_info("Lab %s: %s", l->name, buf);
	if (l->n_events >= LAB_EVENTS_MAX)
		return;
	ev = realloc(l->events, (l->n_events + 1) * sizeof(*ev));
	if (!ev)
		return;
	l->events = ev;
	l->events[l->n_events] = strdup(buf);
	if (l->events[l->n_events])
		l->n_events++;
}
