/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lab records under STATE_DIR/labs (lab-state.h). */
#include "daemon/lab/lab-state.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf-lab.h"
#include "config/conf-network.h"
#include "daemon/state-dir.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/log.h"

#define LAB_RECORD_MAX (64 * 1024 * 1024)

static int lab_path(struct state_dir *d, const char *name, const char *ext, char *buf,
		    size_t size)
{
	if (!network_name_is_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/labs%s%s%s", state_dir_path(d), name ? "/" : "",
			     name ? name : "", ext) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int labs_dir(struct state_dir *d)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/labs", state_dir_path(d)) >= sizeof(path))
		return -ENAMETOOLONG;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int lab_state_save_text(struct state_dir *d, const char *name, const char *text, size_t len)
{
	char path[4096];
	int r = labs_dir(d);

	if (r >= 0)
		r = lab_path(d, name, ".lab", path, sizeof(path));
	return r < 0 ? r : write_file_atomic(path, text, len, 0600);
}

int lab_state_save_record(struct state_dir *d, const char *name, const json_t *record)
{
	_cleanup_free_ char *text = json_dumps(record, JSON_COMPACT | JSON_SORT_KEYS);
	char path[4096];
	int r;

	if (!text)
		return -ENOMEM;
	r = labs_dir(d);
	if (r >= 0)
		r = lab_path(d, name, ".state", path, sizeof(path));
	return r < 0 ? r : write_file_atomic(path, text, strlen(text), 0600);
}

int lab_state_remove(struct state_dir *d, const char *name)
{
	static const char *const exts[] = { ".state", ".lab" };
	char path[4096];
	int ret = 0;

	for (size_t i = 0; i < ELEMENTSOF(exts); i++) {
		int r = lab_path(d, name, exts[i], path, sizeof(path));

		if (r >= 0)
			r = unlink_and_sync(path);
		if (r < 0 && r != -ENOENT && ret == 0)
			ret = r;
	}
	/* The folder goes with the last lab, so that 'lab down' leaves the state dir as it was. */
	if ((size_t)snprintf(path, sizeof(path), "%s/labs", state_dir_path(d)) < sizeof(path))
		(void)rmdir(path);
	return ret;
}

static int load_one(struct state_dir *d, const char *name, lab_state_fn cb, void *data)
{
	_cleanup_free_ char *text = NULL, *rec = NULL;
	char path[4096];
	json_error_t jerr;
	json_t *record;
	size_t len, rlen;
	int r;

	r = lab_path(d, name, ".lab", path, sizeof(path));
	if (r >= 0)
		r = read_file(path, LAB_TEXT_MAX, &text, &len);
	if (r < 0) {
		log_error("Lab '%s': cannot read its file: %s; skipping it", name, strerror(-r));
		return 0;
	}
	r = lab_path(d, name, ".state", path, sizeof(path));
	if (r >= 0)
		r = read_file(path, LAB_RECORD_MAX, &rec, &rlen);
	if (r < 0) {
		log_error("Lab '%s': cannot read its record: %s; skipping it", name, strerror(-r));
		return 0;
	}
	record = json_loadb(rec, rlen, 0, &jerr);
	if (!json_is_object(record)) {
		log_error("Lab '%s': its record is not a JSON object (%s); skipping it", name,
			  jerr.text);
		json_decref(record);
		return 0;
	}
	r = cb(name, text, len, record, data);
	json_decref(record);
	return r;
}

int lab_state_load(struct state_dir *d, lab_state_fn cb, void *data)
{
	char path[4096];
	struct dirent *de;
	DIR *dir;
	int r = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/labs", state_dir_path(d)) >= sizeof(path))
		return -ENAMETOOLONG;
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (r >= 0 && (de = readdir(dir))) {
		char name[LAB_NAME_MAX + 1];
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n <= 6 || strcmp(de->d_name + n - 6, ".state") != 0)
			continue;
		if (n - 6 > LAB_NAME_MAX) {
			log_warning("Skipping '%s' in %s: not a lab's record", de->d_name, path);
			continue;
		}
		memcpy(name, de->d_name, n - 6);
		name[n - 6] = '\0';
		if (!network_name_is_valid(name)) {
			log_warning("Skipping '%s' in %s: not a lab's record", de->d_name, path);
			continue;
		}
		r = load_one(d, name, cb, data);
	}
	closedir(dir);
	return r;
}
