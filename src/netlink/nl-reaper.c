/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of nl-reaper.h: the links handed over, under a mutex, in one array; the thread
 * takes the whole array at once, deletes the group, and deletes one by one whatever the group
 * deletion did not take (another process's link in the group makes the kernel refuse it all).
 */
#include "netlink/nl-reaper.h"

#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlink/nl-link.h"
#include "netlink/nl-sock.h"

struct nl_reaper_link {
	int ifindex;
	char name[IFNAMSIZ];
};

struct nl_reaper {
	struct nl_sock *nl;        /* the thread's own */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* signalled when 'pending' or 'working' changes, or on 'stop' */
	struct nl_reaper_link *pending, *working;   /* handed over; being deleted by the thread */
	size_t n_pending, n_working, cap_pending, cap_working;
	bool stop;
};

static void nl_reaper_round(struct nl_reaper *r, const struct nl_reaper_link *links, size_t n)
{
	/* -ENODEV: nothing in the group (someone deleted them first). */
	int k = nl_link_delete_group(r->nl, NL_REAPER_GROUP);

	if (k >= 0 || k == -ENODEV)
		return;
	/* Refused as a whole (-EOPNOTSUPP: a link in the group that cannot be deleted): ours one
	 * by one, so that none of them stays; an ifindex is never reused while its link lives. */
	for (size_t i = 0; i < n; i++)
		(void)nl_link_delete(r->nl, links[i].ifindex);
}

static void *nl_reaper_main(void *data)
{
	struct nl_reaper *r = data;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		struct nl_reaper_link *t;
		size_t cap;

		while (r->n_pending == 0 && !r->stop)
			pthread_cond_wait(&r->cond, &r->lock);
		if (r->n_pending == 0)
			break;
		/* the batch moves to 'working' (the names stay reserved), 'pending' starts empty */
		t = r->working, r->working = r->pending, r->pending = t;
		cap = r->cap_working, r->cap_working = r->cap_pending, r->cap_pending = cap;
		r->n_working = r->n_pending;
		r->n_pending = 0;
		pthread_mutex_unlock(&r->lock);
		nl_reaper_round(r, r->working, r->n_working);
		pthread_mutex_lock(&r->lock);
		r->n_working = 0;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int nl_reaper_new(struct nl_reaper **ret)
{
	struct nl_reaper *r = calloc(1, sizeof(*r));
	sigset_t all, saved;
	int k;

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	k = nl_sock_new(&r->nl);
	if (k < 0) {
		nl_reaper_free(r);
		return k;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	k = pthread_create(&r->thread, NULL, nl_reaper_main, r);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (k != 0) {
		nl_reaper_free(r);
		return -k;
	}
	r->started = true;
	*ret = r;
	return 0;
}

struct nl_reaper *nl_reaper_free(struct nl_reaper *r)
{
	if (!r)
		return NULL;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	nl_sock_free(r->nl);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r->pending);
	free(r->working);
	free(r);
	return NULL;
}

int nl_reaper_delete(struct nl_reaper *r, struct nl_sock *s, int ifindex, const char *name)
{
	/* Into the group first: the thread may delete the group as soon as it is woken. */
	int k = nl_link_set_group(s, ifindex, NL_REAPER_GROUP);

	if (k < 0)
		return k;
	pthread_mutex_lock(&r->lock);
	if (r->n_pending == r->cap_pending) {
		size_t cap = r->cap_pending ? 2 * r->cap_pending : 16;
		struct nl_reaper_link *a = realloc(r->pending, cap * sizeof(*a));

		if (!a) {
			/* in the group, but its name not reserved: the caller deletes it now */
			pthread_mutex_unlock(&r->lock);
			return -ENOMEM;
		}
		r->pending = a;
		r->cap_pending = cap;
	}
	r->pending[r->n_pending].ifindex = ifindex;
	snprintf(r->pending[r->n_pending].name, IFNAMSIZ, "%s", name ? name : "");
	r->n_pending++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static bool nl_reaper_has(const struct nl_reaper_link *a, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, name) == 0)
			return true;
	return false;
}

bool nl_reaper_is_busy(struct nl_reaper *r)
{
	bool busy;

	pthread_mutex_lock(&r->lock);
	busy = r->n_pending + r->n_working > 0;
	pthread_mutex_unlock(&r->lock);
	return busy;
}

bool nl_reaper_has_name(struct nl_reaper *r, const char *name)
{
	bool has;

	pthread_mutex_lock(&r->lock);
	has = nl_reaper_has(r->pending, r->n_pending, name) ||
	      nl_reaper_has(r->working, r->n_working, name);
	pthread_mutex_unlock(&r->lock);
	return has;
}

void nl_reaper_drain(struct nl_reaper *r)
{
	pthread_mutex_lock(&r->lock);
	while (r->n_pending + r->n_working > 0)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

int nl_reaper_reap_now(struct nl_sock *s)
{
	int k = nl_link_delete_group(s, NL_REAPER_GROUP);

	return k == -ENODEV ? 0 : k;
}
