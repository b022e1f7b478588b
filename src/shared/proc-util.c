/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "shared/proc-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool proc_pid_in_group(pid_t pid, gid_t gid)
{
	char path[64], line[1024];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (char *t = strtok_r(line + 7, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
			if ((gid_t)strtoul(t, NULL, 10) == gid)
				found = true;
	}
	fclose(f);
	return found;
}
