/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The read-back of fw-render's elements (fw_list_installed() in fw-apply.h): one JSON listing of
 * table inet kvmnet, its network sets' elements formatted back into the lines fw-render writes,
 * grouped by bridge and hashed as fw_network_hash() hashes a model. Run at start-up only: it
 * reads every element, as reconciliation must.
 */
#include "firewall/fw-apply.h"

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "shared/alloc-util.h"
#include "shared/strbuf.h"

#define FW_TABLE "inet " FW_TABLE_NAME
#define FW_COMMENT_PREFIX "kvmnet:"

struct fw_item {
	char bridge[IFNAMSIZ];
	int set;                /* index in fw_render_sets */
	char set_name[FW_SET_NAME_MAX];
	char key[160];          /* nft syntax, as fw-render writes it */
	char comment[96];       /* "" = none */
};

struct fw_items {
	struct fw_item *items;
	size_t n, allocated;
};

/* The index in fw_render_sets of set 'name'; every "subnets_L" is the last one. */
static int set_index(const char *name)
{
	const int subnets = FW_RENDER_N_SETS - 1;
	size_t k = strlen(fw_render_sets[subnets]);

	for (int i = 0; i < subnets; i++)
		if (strcmp(fw_render_sets[i], name) == 0)
			return i;
	if (strncmp(name, fw_render_sets[subnets], k) == 0 && name[k] == '_' && name[k + 1] &&
	    strspn(name + k + 1, "0123456789") == strlen(name + k + 1) &&
	    strlen(name) < FW_SET_NAME_MAX)
		return subnets;
	return -1;
}

/* One component of a key: an interface name (quoted) or an address, prefix or range. */
static bool format_part(json_t *v, char *buf, size_t size, bool quote)
{
	json_t *p;
	int k;

	if (json_is_string(v))
		k = snprintf(buf, size, quote ? "\"%s\"" : "%s", json_string_value(v));
	else if (json_is_integer(v))   /* a device group (set tenants) */
		k = snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if ((p = json_object_get(v, "prefix")) && json_is_string(json_object_get(p, "addr")))
		k = snprintf(buf, size, "%s/%d", json_string_value(json_object_get(p, "addr")),
			     (int)json_integer_value(json_object_get(p, "len")));
	else if ((p = json_object_get(v, "range")) && json_array_size(p) == 2 &&
		 json_is_string(json_array_get(p, 0)) && json_is_string(json_array_get(p, 1)))
		k = snprintf(buf, size, "%s-%s", json_string_value(json_array_get(p, 0)),
			     json_string_value(json_array_get(p, 1)));
	else
		return false;
	return k > 0 && (size_t)k < size;
}

/* Formats element 'e' of set 'set' into 'it'; false for a shape fw-render never writes. */
static bool item_from_json(int set, const char *set_name, json_t *e, struct fw_item *it)
{
	json_t *val = e, *w = json_object_get(e, "elem"), *concat;
	char first[IFNAMSIZ + 2], second[96];

	*it = (struct fw_item){ .set = set };
	snprintf(it->set_name, sizeof(it->set_name), "%s", set_name);
	if (w) {
		const char *c = json_string_value(json_object_get(w, "comment"));

		val = json_object_get(w, "val");
		if (c && snprintf(it->comment, sizeof(it->comment), "%s", c) >=
				 (int)sizeof(it->comment))
			return false;
	}
	concat = json_object_get(val, "concat");
	if (concat) {
		json_t *a = json_array_get(concat, 0);

		if (json_array_size(concat) != 2 || !json_is_string(a))
			return false;
		val = a;
		if (!format_part(json_array_get(concat, 1), second, sizeof(second),
				 strncmp(fw_render_sets[set], "subnets", 7) != 0))
			return false;
	}
	if (!json_is_string(val) || strlen(json_string_value(val)) >= sizeof(it->bridge))
		return false;
	snprintf(it->bridge, sizeof(it->bridge), "%s", json_string_value(val));
	snprintf(first, sizeof(first), "\"%s\"", it->bridge);
	if (concat)
		snprintf(it->key, sizeof(it->key), "%s . %s", first, second);
	else
		snprintf(it->key, sizeof(it->key), "%s", first);
	return true;
}

static int items_add(struct fw_items *l, const struct fw_item *it)
{
	if (l->n == l->allocated) {
		size_t n = l->allocated ? l->allocated * 2 : 256;
		struct fw_item *p = realloc(l->items, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->items = p;
		l->allocated = n;
	}
	l->items[l->n++] = *it;
	return 0;
}

static int item_cmp(const void *a, const void *b)
{
	const struct fw_item *x = a, *y = b;
	int r = strcmp(x->bridge, y->bridge);

	if (r == 0)
		r = x->set - y->set;
	if (r == 0)
		r = strcmp(x->set_name, y->set_name);
	if (r == 0)
		r = strcmp(x->key, y->key);
	return r;
}

/* The element lines of the listing's network sets; *ret_legacy when an older layout is there. */
static int collect_items(json_t *root, struct fw_items *l, bool *ret_legacy)
{
	json_t *items = json_object_get(root, "nftables"), *it;
	size_t i;

	if (!json_is_array(items))
		return -EIO;
	json_array_foreach(items, i, it) {
		json_t *set = json_object_get(it, "set"), *map = json_object_get(it, "map"), *e;
		const char *name;
		size_t j;
		int idx;

		if (map && strcmp(json_string_value(json_object_get(map, "name")) ?: "",
				  "fwd_out") == 0)
			*ret_legacy = true;
		if (!set)
			continue;
		name = json_string_value(json_object_get(set, "name")) ?: "";
		idx = set_index(name);
		if (idx < 0)
			continue;
		json_array_foreach(json_object_get(set, "elem"), j, e) {
			struct fw_item x;

			if (!item_from_json(idx, name, e, &x))
				continue;   /* not an element of ours: left alone */
			if (items_add(l, &x) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Reports the bridge whose items are l->items[from..to). */
static int report(const struct fw_items *l, size_t from, size_t to, fw_installed_fn cb, void *data)
{
	_cleanup_(strbuf_done) struct strbuf purge = STRBUF_INIT;
	uint64_t hash = FW_HASH_INIT;
	const char *name = NULL;
	int r = 0;

	for (size_t i = from; r >= 0 && i < to; i++) {
		const struct fw_item *x = &l->items[i];
		const char *set = x->set_name;
		char line[512];
		int k;

		if (x->comment[0])
			k = snprintf(line, sizeof(line), "add element " FW_TABLE " %s { %s comment \"%s\" }\n",
				     set, x->key, x->comment);
		else
			k = snprintf(line, sizeof(line), "add element " FW_TABLE " %s { %s }\n", set,
				     x->key);
		hash = fw_hash_bytes(hash, line, (size_t)k);
		if (x->set == 0 && strncmp(x->comment, FW_COMMENT_PREFIX,
					   strlen(FW_COMMENT_PREFIX)) == 0)
			name = x->comment + strlen(FW_COMMENT_PREFIX);
		r = strbuf_appendf(&purge, "add element " FW_TABLE " %s { %s }\n"
				   "delete element " FW_TABLE " %s { %s }\n", set, x->key, set, x->key);
	}
	if (r < 0)
		return r;
	return cb(name, hash, purge.buf ? purge.buf : "", data);
}

int fw_list_installed(struct fw_ctx *ctx, fw_installed_fn cb, void *data)
{
	_cleanup_free_ char *text = NULL;
	struct fw_items l = { 0 };
	bool legacy = false;
	json_t *root;
	int exists, r;

	/* Asking first keeps nft's "No such file or directory" out of the picture entirely. */
	r = fw_table_exists(ctx, &exists);
	if (r < 0)
		return r;
	if (!exists)
		return 0;
	r = fw_list_json(ctx, "list table " FW_TABLE, &text);
	if (r < 0)
		return r;
	root = json_loads(text, 0, NULL);
	if (!root)
		return -EIO;
	r = collect_items(root, &l, &legacy);
	json_decref(root);
	if (r >= 0 && legacy)
		r = 1;
	if (r == 0 && l.n > 0) {
		size_t from = 0;

		qsort(l.items, l.n, sizeof(*l.items), item_cmp);
		for (size_t i = 1; r >= 0 && i <= l.n; i++)
			if (i == l.n || strcmp(l.items[i].bridge, l.items[from].bridge) != 0) {
				r = report(&l, from, i, cb, data);
				from = i;
			}
	}
	free(l.items);
	return r < 0 ? r : legacy;
}
