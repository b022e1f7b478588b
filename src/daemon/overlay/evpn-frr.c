/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of evpn-frr.h. Every request costs a few bgpd commands about one VNI; the one
 * answer that lists every VNI bgpd knows ('show bgp l2vpn evpn vni', to learn whether FRR
 * already advertises all VNIs) is read at most once per daemon run.
 */
#include "daemon/overlay/evpn-frr.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/conf-network.h"
#include "daemon/overlay/frr-vty.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/log.h"

/* The record of the 'advertise-all-vni' kvmnet added, under STATE/frr/. */
#define EVPN_MARK_ALL_VNI "advertise-all-vni"

struct evpn_frr {
	char *vty_dir;
	char *mark_dir;       /* STATE/frr */
	size_t n_in_use;      /* networks whose configuration is written (their in_use flags) */
	bool all_vni_admin;   /* FRR had 'advertise-all-vni' of its own (seen once, kept) */
};

int evpn_frr_new(const char *vty_dir, const char *state_path, struct evpn_frr **ret)
{
	struct evpn_frr *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->vty_dir = strdup(vty_dir ? vty_dir : EVPN_FRR_VTY_DIR_DEFAULT);
	if (e->vty_dir && asprintf(&e->mark_dir, "%s/frr", state_path) < 0)
		e->mark_dir = NULL;
	if (!e->vty_dir || !e->mark_dir) {
		evpn_frr_free(e);
		return -ENOMEM;
	}
	*ret = e;
	return 0;
}

struct evpn_frr *evpn_frr_free(struct evpn_frr *e)
{
	if (!e)
		return NULL;
	free(e->vty_dir);
	free(e->mark_dir);
	free(e);
	return NULL;
}

const char *evpn_frr_vty_dir(const struct evpn_frr *e)
{
	return e->vty_dir;
}

static void mark_path(const struct evpn_frr *e, const char *item, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", e->mark_dir, item);
}

static void vni_item(uint32_t vni, char buf[32])
{
	snprintf(buf, 32, "vni-%u", (unsigned)vni);
}

static bool mark_exists(const struct evpn_frr *e, const char *item)
{
	char path[4096];

	mark_path(e, item, path, sizeof(path));
	return access(path, F_OK) == 0;
}

/* Records 'item' durably before bgpd gets it: a crash in between leaves a record, not a leak. */
static int mark_add(const struct evpn_frr *e, const char *item)
{
	char path[4096];
	int fd, r = 0;

	if (mkdir(e->mark_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	mark_path(e, item, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0)
		r = fsync_parent_directory(path);
	return r;
}

static void mark_del(const struct evpn_frr *e, const char *item)
{
	char path[4096];
	int r;

	mark_path(e, item, path, sizeof(path));
	r = unlink_and_sync(path);
	if (r < 0 && r != -ENOENT)
		log_warning_errno(r, "Failed to remove '%s': %m, ignoring", path);
}

static int vty_open(const struct evpn_frr *e, struct frr_vty **ret, char *err, size_t errlen)
{
	int r = frr_vty_open(e->vty_dir, "bgpd", ret);

	if (r < 0)
		snprintf(err, errlen, "overlay = evpn needs FRR's bgpd, not reachable at %s/bgpd.vty: "
			 "%s (kvmnetd --frr-vty-dir DIR)", e->vty_dir, strerror(-r));
	return r == -ENOENT || r == -ECONNREFUSED ? -EHOSTDOWN : r;
}

/* Runs the commands of 'cmds' (NULL-terminated) in the default instance's l2vpn evpn family. */
static int vty_configure(struct frr_vty *v, const char *const *cmds, char *err, size_t errlen)
{
	static const char *const enter[] = { "configure terminal", "router bgp",
					     "address-family l2vpn evpn", NULL };
	const char *failed = NULL;
	int r = 0;

	for (size_t i = 0; enter[i] && r == 0; i++) {
		r = frr_vty_run(v, enter[i], NULL);
		failed = enter[i];
	}
	for (size_t i = 0; cmds && cmds[i] && r == 0; i++) {
		r = frr_vty_run(v, cmds[i], NULL);
		failed = cmds[i];
	}
	if (r != 0) {
		if (r > 0 && strcmp(failed, "router bgp") == 0)
			snprintf(err, errlen, "overlay = evpn needs a BGP instance in FRR's bgpd "
				 "('router bgp ASN' with the fabric's neighbours): %s",
				 frr_vty_last_line(v));
		else if (r > 0)
			snprintf(err, errlen, "FRR's bgpd refused '%s': %s", failed,
				 frr_vty_last_line(v));
		else
			snprintf(err, errlen, "FRR's bgpd did not answer '%s': %s", failed,
				 strerror(-r));
	}
	/* back to the enable node whatever happened (the session ends anyway) */
	(void)frr_vty_run(v, "end", NULL);
	if (r > 0)
		return -EINVAL;
	return r;
}

int evpn_frr_check(struct evpn_frr *e, const struct network_config *c, bool device_exists,
		   char *err, size_t errlen)
{
	_cleanup_(frr_vty_freep) struct frr_vty *v = NULL;
	_cleanup_free_ char *out = NULL;
	char cmd[64], item[32];
	uint32_t vni = c->overlay.vni;
	int r;

	assert(e);
	r = vty_open(e, &v, err, errlen);
	if (r < 0)
		return r;
	/* entering the instance changes nothing and tells whether there is one */
	r = vty_configure(v, NULL, err, errlen);
	if (r < 0)
		return r == -EINVAL ? -ENOENT : r;
	vni_item(vni, item);
	if (device_exists || mark_exists(e, item))
		return 0;    /* kvmnet's: a restart, a repair or a redefinition */
	snprintf(cmd, sizeof(cmd), "show bgp l2vpn evpn vni %u json", (unsigned)vni);
	r = frr_vty_run(v, cmd, &out);
	if (r < 0) {
		snprintf(err, errlen, "FRR's bgpd did not answer '%s': %s", cmd, strerror(-r));
		return r;
	}
	/* an unknown VNI is answered with an empty object */
	if (r == 0 && out && strstr(out, "\"vni\"")) {
		snprintf(err, errlen, "vni %u is configured in FRR's bgpd already (not by kvmnet)",
			 (unsigned)vni);
		return -EEXIST;
	}
	return 0;
}

/* Whether FRR advertises all VNIs without kvmnet's line; read once per run. */
static int all_vni_is_admin(struct evpn_frr *e, struct frr_vty *v)
{
	_cleanup_free_ char *out = NULL;
	int r;

	if (e->all_vni_admin)
		return 1;
	r = frr_vty_run(v, "show bgp l2vpn evpn vni", &out);
	if (r < 0)
		return r;
	e->all_vni_admin = r == 0 && out && strstr(out, "Advertise All VNI flag: Enabled");
	return e->all_vni_admin;
}

/*
 * Takes 'vni''s block (unless 0) and kvmnet's 'advertise-all-vni' (if 'all') out of bgpd, then
 * their records. One that bgpd does not have any more (a restarted bgpd lost it) is gone too.
 */
static void unwrite(struct evpn_frr *e, struct frr_vty *v, uint32_t vni, bool all)
{
	static const char *const no_all[] = { "no advertise-all-vni", NULL };
	char item[32], cmd[32], err[256] = "";
	const char *no_vni[] = { cmd, NULL };
	int r;

	if (vni) {
		snprintf(cmd, sizeof(cmd), "no vni %u", (unsigned)vni);
		r = vty_configure(v, no_vni, err, sizeof(err));
		if (r < 0 && !strstr(err, "does not exist"))
			log_warning("Failed to remove 'vni %u' from FRR's bgpd: %s, ignoring",
				    (unsigned)vni, err);
		else {
			vni_item(vni, item);
			mark_del(e, item);
		}
	}
	if (all) {
		r = vty_configure(v, no_all, err, sizeof(err));
		if (r < 0)
			log_warning("Failed to remove 'advertise-all-vni' from FRR's bgpd: %s, "
				    "ignoring", err);
		else
			mark_del(e, EVPN_MARK_ALL_VNI);
	}
}

int evpn_frr_write(struct evpn_frr *e, uint32_t vni, bool *in_use, bool *ret_new, char *err,
		   size_t errlen)
{
	_cleanup_(frr_vty_freep) struct frr_vty *v = NULL;
	char item[32], vni_cmd[32];
	const char *cmds[4];
	bool new_vni, new_all = false;
	size_t n = 0;
	int r;

	assert(e);
	*ret_new = false;
	r = vty_open(e, &v, err, errlen);
	if (r < 0)
		return r;
	vni_item(vni, item);
	new_vni = !mark_exists(e, item);
	if (!mark_exists(e, EVPN_MARK_ALL_VNI)) {
		r = all_vni_is_admin(e, v);
		if (r < 0) {
			snprintf(err, errlen, "FRR's bgpd did not answer: %s", strerror(-r));
			return r;
		}
		new_all = r == 0;
	}
	if (new_all)
		r = mark_add(e, EVPN_MARK_ALL_VNI);
	if (r >= 0 && new_vni)
		r = mark_add(e, item);
	if (r < 0) {
		snprintf(err, errlen, "failed to record FRR's configuration under %s: %s",
			 e->mark_dir, strerror(-r));
		goto fail;
	}
	/* sent again when already there: a restarted bgpd has lost its running configuration */
	if (new_all || mark_exists(e, EVPN_MARK_ALL_VNI))
		cmds[n++] = "advertise-all-vni";
	snprintf(vni_cmd, sizeof(vni_cmd), "vni %u", (unsigned)vni);
	cmds[n++] = vni_cmd;
	cmds[n++] = "exit-vni";
	cmds[n] = NULL;
	r = vty_configure(v, cmds, err, errlen);
	if (r < 0)
		goto fail;
	if (!*in_use)
		e->n_in_use++;
	*in_use = true;
	*ret_new = new_vni;
	return 0;
fail:
	unwrite(e, v, new_vni ? vni : 0, new_all && e->n_in_use == 0);
	return r;
}

void evpn_frr_remove(struct evpn_frr *e, uint32_t vni, bool *in_use)
{
	_cleanup_(frr_vty_freep) struct frr_vty *v = NULL;
	char item[32], err[256];
	bool all;

	assert(e);
	if (*in_use && e->n_in_use > 0)
		e->n_in_use--;
	*in_use = false;
	vni_item(vni, item);
	all = e->n_in_use == 0 && mark_exists(e, EVPN_MARK_ALL_VNI);
	if (!mark_exists(e, item) && !all)
		return;
	if (vty_open(e, &v, err, sizeof(err)) < 0) {
		log_warning("Failed to remove FRR's configuration of vni %u: %s, ignoring",
			    (unsigned)vni, err);
		return;
	}
	unwrite(e, v, mark_exists(e, item) ? vni : 0, all);
}
