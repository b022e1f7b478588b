/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of state-dir.h on top of file-util's atomic writes. */
#include "state-dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf-network.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/log.h"

#define STATE_DIR_FILE_MAX (8 * 1024 * 1024 + 1)

struct state_dir {
	char *path;
};

static int mkdir_p0700(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static char *state_dir_join(const struct state_dir *d, const char *sub, const char *name,
			    const char *suffix)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s%s%s", d->path, sub, name ? "/" : "", name ? name : "",
		     suffix ? suffix : "") < 0)
		return NULL;
	return p;
}

int state_dir_open(const char *path, struct state_dir **ret)
{
	_cleanup_free_ char *networks = NULL, *running = NULL;
	struct state_dir *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->path = strdup(path);
	if (!d->path)
		goto oom;
	networks = state_dir_join(d, "networks", NULL, NULL);
	running = state_dir_join(d, "running", NULL, NULL);
	if (!networks || !running)
		goto oom;
	r = mkdir_p0700(path);
	if (r >= 0)
		r = mkdir_p0700(networks);
	if (r >= 0)
		r = mkdir_p0700(running);
	if (r < 0) {
		state_dir_free(d);
		return r;
	}
	*ret = d;
	return 0;
oom:
	state_dir_free(d);
	return -ENOMEM;
}

struct state_dir *state_dir_free(struct state_dir *d)
{
	if (!d)
		return NULL;
	free(d->path);
	free(d);
	return NULL;
}

const char *state_dir_path(const struct state_dir *d)
{
	return d->path;
}

static int state_dir_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int state_dir_load_networks(struct state_dir *d, state_dir_network_fn cb, void *data)
{
	_cleanup_free_ char *dir = state_dir_join(d, "networks", NULL, NULL);
	struct dirent **entries = NULL;
	int n, r = 0;

	if (!dir)
		return -ENOMEM;
	n = scandir(dir, &entries, NULL, state_dir_name_cmp);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		const char *fn = entries[i]->d_name;
		size_t len = strlen(fn);
		char name[NETWORK_NAME_MAX + 1];

		if (fn[0] == '.')
			continue;
		if (len <= 5 || strcmp(fn + len - 5, ".conf") != 0 || len - 5 > NETWORK_NAME_MAX) {
			log_warning("Unexpected file '%s/%s' in the state directory, ignoring", dir,
				    fn);
			continue;
		}
		memcpy(name, fn, len - 5);
		name[len - 5] = '\0';
		if (!network_name_is_valid(name)) {
			log_warning("File '%s/%s' does not name a valid network, ignoring", dir, fn);
			continue;
		}

		_cleanup_free_ char *path = state_dir_join(d, "networks", fn, NULL);
		_cleanup_free_ char *text = NULL;
		size_t text_len = 0;
		if (!path) {
			r = -ENOMEM;
			break;
		}
		r = read_file(path, STATE_DIR_FILE_MAX, &text, &text_len);
		if (r < 0) {
			log_warning_errno(r, "Failed to read '%s': %m, ignoring", path);
			r = 0;
			continue;
		}
		r = cb(name, text, text_len, data);
		if (r < 0)
			break;
	}
	for (int i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	return r;
}

int state_dir_save_network(struct state_dir *d, const char *name, const char *text)
{
	_cleanup_free_ char *path = state_dir_join(d, "networks", name, ".conf");

	if (!path)
		return -ENOMEM;
	return write_file_atomic(path, text, strlen(text), 0600);
}

int state_dir_remove_network(struct state_dir *d, const char *name)
{
	_cleanup_free_ char *path = state_dir_join(d, "networks", name, ".conf");
	int r;

	if (!path)
		return -ENOMEM;
	/*
	 * The definition first: it is what makes the network exist, so a crash in between leaves
	 * a network deleted (and a stale marker, which net.define and net.create reset), never one
	 * defined but no longer marked running.
	 */
	r = unlink_and_sync(path);
	if (r < 0 && r != -ENOENT)
		return r;
	return state_dir_set_running(d, name, false);
}

int state_dir_set_running(struct state_dir *d, const char *name, bool running)
{
	_cleanup_free_ char *path = state_dir_join(d, "running", name, NULL);
	int r;

	if (!path)
		return -ENOMEM;
	if (running == state_dir_is_running(d, name))
		return 0;
	if (running)
		return write_file_atomic(path, "", 0, 0600);
	r = unlink_and_sync(path);
	return r == -ENOENT ? 0 : r;
}

int state_dir_prune_running(struct state_dir *d, state_dir_keep_fn keep, void *data)
{
	_cleanup_free_ char *dir = state_dir_join(d, "running", NULL, NULL);
	struct dirent **entries = NULL;
	int n, r = 0;

	if (!dir)
		return -ENOMEM;
	n = scandir(dir, &entries, NULL, state_dir_name_cmp);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n && r >= 0; i++) {
		const char *fn = entries[i]->d_name;

		if (fn[0] == '.' || keep(fn, data))
			continue;
		_cleanup_free_ char *path = state_dir_join(d, "running", fn, NULL);
		if (!path) {
			r = -ENOMEM;
			break;
		}
		r = unlink_and_sync(path);
		if (r == -ENOENT)
			r = 0;
		if (r >= 0)
			log_info("Removed the running marker of '%s', which has no definition", fn);
	}
	for (int i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
	return r;
}

bool state_dir_is_running(struct state_dir *d, const char *name)
{
	_cleanup_free_ char *path = state_dir_join(d, "running", name, NULL);

	return path && access(path, F_OK) == 0;
}

int state_dir_autostart_pending(struct state_dir *d)
{
	_cleanup_free_ char *path = state_dir_join(d, "boot-id", NULL, NULL);
	_cleanup_free_ char *boot = NULL, *last = NULL;
	size_t len = 0, last_len = 0;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file("/proc/sys/kernel/random/boot_id", 128, &boot, &len);
	if (r < 0)
		return r;
	r = read_file(path, 128, &last, &last_len);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r >= 0 && last_len == len && memcmp(last, boot, len) == 0)
		return 0;
	r = write_file_atomic(path, boot, len, 0600);
	return r < 0 ? r : 1;
}
