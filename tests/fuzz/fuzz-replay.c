/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A main() for fuzz targets in ordinary builds: feeds every file named on the command line (or
 * found in a directory named there) to LLVMFuzzerTestOneInput once, so each corpus is replayed
 * by every build, sanitizers included. A crash fails the test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define FUZZ_INPUT_MAX (1024 * 1024)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf;
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	buf = malloc(FUZZ_INPUT_MAX);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, FUZZ_INPUT_MAX, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int replay_path(const char *path, unsigned *count)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	DIR *d = opendir(path);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) && r == 0) {
		char child[4096];
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		r = replay_path(child, count);
	}
	closedir(d);
	return r;
}

int main(int argc, char **argv)
{
	unsigned count = 0;

	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) < 0)
			return 1;
	printf("replayed %u inputs\n", count);
	return 0;
}
