/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of uplink-marker.h: one JSON file per network, written with file-util. */
#include "uplink-marker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/in-addr-util.h"

#define UPLINK_MARKER_FILE_MAX (256 * 1024)

static char *uplink_marker_path(const char *state_dir, const char *name)
{
	char *p = NULL;

	if (asprintf(&p, "%s/uplinks%s%s%s", state_dir, name ? "/" : "", name ? name : "",
		     name ? ".json" : "") < 0)
		return NULL;
	return p;
}

static void hex_encode(const uint8_t *data, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", data[i]);
	out[2 * len] = '\0';
}

static json_t *addr_to_json(const struct nl_addr_info *a)
{
	char addr[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN], brd[INET_ADDRSTRLEN];

	return json_pack("{s:s, s:i, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:s}", "address",
			 in_addr_to_string(a->addr, addr), "prefixlen", a->prefixlen, "peer",
			 in_addr_to_string(a->peer, peer), "broadcast",
			 in_addr_to_string(a->broadcast, brd), "scope", a->scope, "flags",
			 (json_int_t)a->flags, "metric", (json_int_t)a->rt_priority, "valid",
			 (json_int_t)a->valid_sec, "preferred", (json_int_t)a->preferred_sec,
			 "label", a->label);
}

static json_t *route_to_json(const struct nl_route_spec *r)
{
	char dst[IN_PREFIX_STRLEN], gw[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN],
		via[INET6_ADDRSTRLEN] = "", metrics[2 * sizeof(r->metrics) + 1];

	if (r->via_family == AF_INET6)
		inet_ntop(AF_INET6, &r->via, via, sizeof(via));
	hex_encode(r->metrics, r->metrics_len, metrics);
	return json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:I, s:s, s:s, s:I, s:s, s:s}", "dst",
			 in_prefix_to_string(&r->base.dst, dst), "table", (json_int_t)r->base.table,
			 "type", r->base.type, "protocol", r->base.protocol, "scope", r->scope, "tos",
			 r->tos, "flags", (json_int_t)r->flags, "gateway",
			 in_addr_to_string(r->gateway, gw), "prefsrc",
			 in_addr_to_string(r->prefsrc, src), "priority", (json_int_t)r->priority,
			 "via6", via, "metrics", metrics);
}

static json_t *addr6_to_json(const struct nl_addr6_info *a)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &a->addr, addr, sizeof(addr));
	return json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:I}", "address", addr, "prefixlen",
			 a->prefixlen, "scope", a->scope, "flags", (json_int_t)a->flags, "metric",
			 (json_int_t)a->rt_priority, "valid", (json_int_t)a->valid_sec,
			 "preferred", (json_int_t)a->preferred_sec);
}

static json_t *route6_to_json(const struct nl_route6_spec *r)
{
	char dst[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN],
		metrics[2 * sizeof(r->metrics) + 1];

	inet_ntop(AF_INET6, &r->dst, dst, sizeof(dst));
	inet_ntop(AF_INET6, &r->gateway, gw, sizeof(gw));
	inet_ntop(AF_INET6, &r->prefsrc, src, sizeof(src));
	hex_encode(r->metrics, r->metrics_len, metrics);
	return json_pack("{s:s, s:i, s:I, s:i, s:i, s:i, s:I, s:s, s:s, s:I, s:i, s:s}", "dst", dst,
			 "dst-len", r->dst_len, "table", (json_int_t)r->table, "type", r->type,
			 "protocol", r->protocol, "scope", r->scope, "flags", (json_int_t)r->flags,
			 "gateway", gw, "prefsrc", src, "priority", (json_int_t)r->priority, "pref",
			 r->has_pref ? r->pref : -1, "metrics", metrics);
}

static json_t *uplink_marker_to_json(const struct uplink_marker *mk)
{
	json_t *addrs = json_array(), *routes = json_array(), *addrs6 = json_array(),
	       *routes6 = json_array();

	if (!addrs || !routes || !addrs6 || !routes6)
		goto oom;
	for (size_t i = 0; i < mk->n_addrs6; i++)
		if (json_array_append_new(addrs6, addr6_to_json(&mk->addrs6[i])) < 0)
			goto oom;
	for (size_t i = 0; i < mk->n_routes6; i++)
		if (json_array_append_new(routes6, route6_to_json(&mk->routes6[i])) < 0)
			goto oom;
	for (size_t i = 0; i < mk->n_addrs; i++)
		if (json_array_append_new(addrs, addr_to_json(&mk->addrs[i])) < 0)
			goto oom;
	for (size_t i = 0; i < mk->n_routes; i++)
		if (json_array_append_new(routes, route_to_json(&mk->routes[i])) < 0)
			goto oom;
	return json_pack("{s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o}", "uplink", mk->uplink,
			 "bridge", mk->bridge, "uplink-was-up", mk->uplink_was_up, "complete",
			 mk->complete, "addresses", addrs, "routes", routes, "addresses6", addrs6,
			 "routes6", routes6);
oom:
	json_decref(addrs);
	json_decref(routes);
	json_decref(addrs6);
	json_decref(routes6);
	return NULL;
}

int uplink_marker_save(const char *state_dir, const char *name, const struct uplink_marker *mk)
{
	_cleanup_free_ char *dir = uplink_marker_path(state_dir, NULL);
	_cleanup_free_ char *path = uplink_marker_path(state_dir, name);
	json_t *j;
	char *text;
	int r;

	if (!dir || !path)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	j = uplink_marker_to_json(mk);
	if (!j)
		return -ENOMEM;
	text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	r = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return r;
}

static int addr_from_json(json_t *j, struct nl_addr_info *a)
{
	const char *addr, *peer, *brd, *label;
	json_int_t prefixlen, scope, flags, metric, valid, preferred;

	if (json_unpack(j, "{s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "address", &addr,
			"prefixlen", &prefixlen, "peer", &peer, "broadcast", &brd, "scope", &scope,
			"flags", &flags, "metric", &metric, "valid", &valid, "preferred",
			&preferred, "label", &label) < 0)
		return -EBADMSG;
	if (in_addr_from_string(addr, &a->addr) < 0 || in_addr_from_string(peer, &a->peer) < 0 ||
	    in_addr_from_string(brd, &a->broadcast) < 0 || prefixlen < 0 || prefixlen > 32 ||
	    scope < 0 || scope > 255 || flags < 0 || flags > UINT32_MAX || metric < 0 ||
	    metric > UINT32_MAX || valid < 0 || valid > UINT32_MAX || preferred < 0 ||
	    preferred > UINT32_MAX || strlen(label) >= sizeof(a->label))
		return -EBADMSG;
	a->prefixlen = (uint8_t)prefixlen;
	a->scope = (uint8_t)scope;
	a->flags = (uint32_t)flags;
	a->rt_priority = (uint32_t)metric;
	a->valid_sec = (uint32_t)valid;
	a->preferred_sec = (uint32_t)preferred;
	strcpy(a->label, label);
	return 0;
}

static int hex_decode(const char *s, uint8_t *buf, size_t max, uint16_t *ret_len)
{
	size_t len = strlen(s);

	if (len % 2 || len / 2 > max)
		return -EBADMSG;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EBADMSG;
		buf[i] = (uint8_t)v;
	}
	*ret_len = (uint16_t)(len / 2);
	return 0;
}

static int route_from_json(json_t *j, struct nl_route_spec *r)
{
	const char *dst, *gw, *src, *via, *metrics;
	json_int_t table, type, protocol, scope, tos, flags, priority;

	if (json_unpack(j, "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:s, s:s}", "dst",
			&dst, "table", &table, "type", &type, "protocol", &protocol, "scope",
			&scope, "tos", &tos, "flags", &flags, "gateway", &gw, "prefsrc", &src,
			"priority", &priority, "via6", &via, "metrics", &metrics) < 0)
		return -EBADMSG;
	if (in_prefix_from_string(dst, &r->base.dst) < 0 || in_addr_from_string(gw, &r->gateway) < 0 ||
	    in_addr_from_string(src, &r->prefsrc) < 0 || table < 0 || table > UINT32_MAX ||
	    type < 0 || type > 255 || protocol < 0 || protocol > 255 || scope < 0 || scope > 255 ||
	    tos < 0 || tos > 255 || flags < 0 || flags > UINT32_MAX || priority < 0 ||
	    priority > UINT32_MAX)
		return -EBADMSG;
	if (via[0]) {
		if (inet_pton(AF_INET6, via, &r->via) != 1)
			return -EBADMSG;
		r->via_family = AF_INET6;
	}
	if (hex_decode(metrics, r->metrics, sizeof(r->metrics), &r->metrics_len) < 0)
		return -EBADMSG;
	r->base.table = (uint32_t)table;
	r->base.type = (uint8_t)type;
	r->base.protocol = (uint8_t)protocol;
	r->scope = (uint8_t)scope;
	r->tos = (uint8_t)tos;
	r->flags = (uint32_t)flags;
	r->priority = (uint32_t)priority;
	return 0;
}

static int addr6_from_json(json_t *j, struct nl_addr6_info *a)
{
	json_int_t prefixlen, scope, flags, metric, valid, preferred;
	const char *addr;

	if (json_unpack(j, "{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "address", &addr, "prefixlen",
			&prefixlen, "scope", &scope, "flags", &flags, "metric", &metric, "valid",
			&valid, "preferred", &preferred) < 0)
		return -EBADMSG;
	if (inet_pton(AF_INET6, addr, &a->addr) != 1 || prefixlen < 0 || prefixlen > 128 ||
	    scope < 0 || scope > 255 || flags < 0 || flags > UINT32_MAX || metric < 0 ||
	    metric > UINT32_MAX || valid < 0 || valid > UINT32_MAX || preferred < 0 ||
	    preferred > UINT32_MAX)
		return -EBADMSG;
	a->prefixlen = (uint8_t)prefixlen;
	a->scope = (uint8_t)scope;
	a->flags = (uint32_t)flags;
	a->rt_priority = (uint32_t)metric;
	a->valid_sec = (uint32_t)valid;
	a->preferred_sec = (uint32_t)preferred;
	return 0;
}

static int route6_from_json(json_t *j, struct nl_route6_spec *r)
{
	json_int_t dst_len, table, type, protocol, scope, flags, priority, pref;
	const char *dst, *gw, *src, *metrics;

	if (json_unpack(j, "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:s}", "dst",
			&dst, "dst-len", &dst_len, "table", &table, "type", &type, "protocol",
			&protocol, "scope", &scope, "flags", &flags, "gateway", &gw, "prefsrc", &src,
			"priority", &priority, "pref", &pref, "metrics", &metrics) < 0)
		return -EBADMSG;
	if (inet_pton(AF_INET6, dst, &r->dst) != 1 || inet_pton(AF_INET6, gw, &r->gateway) != 1 ||
	    inet_pton(AF_INET6, src, &r->prefsrc) != 1 || dst_len < 0 || dst_len > 128 ||
	    table < 0 || table > UINT32_MAX || type < 0 || type > 255 || protocol < 0 ||
	    protocol > 255 || scope < 0 || scope > 255 || flags < 0 || flags > UINT32_MAX ||
	    priority < 0 || priority > UINT32_MAX || pref < -1 || pref > 255)
		return -EBADMSG;
	if (hex_decode(metrics, r->metrics, sizeof(r->metrics), &r->metrics_len) < 0)
		return -EBADMSG;
	r->dst_len = (uint8_t)dst_len;
	r->table = (uint32_t)table;
	r->type = (uint8_t)type;
	r->protocol = (uint8_t)protocol;
	r->scope = (uint8_t)scope;
	r->flags = (uint32_t)flags;
	r->priority = (uint32_t)priority;
	r->has_pref = pref >= 0;
	r->pref = r->has_pref ? (uint8_t)pref : 0;
	return 0;
}

/* The IPv6 part: optional, as records written before kvmnet moved IPv6 have none. */
static int uplink_marker6_from_json(json_t *addrs6, json_t *routes6, struct uplink_marker *mk)
{
	json_t *e;
	size_t i;

	if ((addrs6 && (!json_is_array(addrs6) ||
			json_array_size(addrs6) > UPLINK_MARKER_ADDR6_MAX)) ||
	    (routes6 && (!json_is_array(routes6) ||
			 json_array_size(routes6) > UPLINK_MARKER_ROUTE6_MAX)))
		return -EBADMSG;
	json_array_foreach(addrs6, i, e) {
		if (addr6_from_json(e, &mk->addrs6[i]) < 0)
			return -EBADMSG;
	}
	mk->n_addrs6 = addrs6 ? json_array_size(addrs6) : 0;
	json_array_foreach(routes6, i, e) {
		if (route6_from_json(e, &mk->routes6[i]) < 0)
			return -EBADMSG;
	}
	mk->n_routes6 = routes6 ? json_array_size(routes6) : 0;
	return 0;
}

static int uplink_marker_from_json(json_t *j, struct uplink_marker *mk)
{
	const char *uplink, *bridge;
	json_t *addrs, *routes, *addrs6 = NULL, *routes6 = NULL, *e;
	int was_up, complete;
	size_t i;

	if (json_unpack(j, "{s:s, s:s, s:b, s:b, s:o, s:o, s?o, s?o}", "uplink", &uplink, "bridge",
			&bridge, "uplink-was-up", &was_up, "complete", &complete, "addresses",
			&addrs, "routes", &routes, "addresses6", &addrs6, "routes6", &routes6) < 0 ||
	    !json_is_array(addrs) || !json_is_array(routes) ||
	    json_array_size(addrs) > UPLINK_MARKER_ADDR_MAX ||
	    json_array_size(routes) > UPLINK_MARKER_ROUTE_MAX || !uplink[0] ||
	    strlen(uplink) >= IFNAMSIZ || !bridge[0] || strlen(bridge) >= IFNAMSIZ)
		return -EBADMSG;
	strcpy(mk->uplink, uplink);
	strcpy(mk->bridge, bridge);
	mk->uplink_was_up = was_up;
	mk->complete = complete;
	json_array_foreach(addrs, i, e) {
		if (addr_from_json(e, &mk->addrs[i]) < 0)
			return -EBADMSG;
	}
	mk->n_addrs = json_array_size(addrs);
	json_array_foreach(routes, i, e) {
		if (route_from_json(e, &mk->routes[i]) < 0)
			return -EBADMSG;
	}
	mk->n_routes = json_array_size(routes);
	return uplink_marker6_from_json(addrs6, routes6, mk);
}

int uplink_marker_load(const char *state_dir, const char *name, struct uplink_marker **ret)
{
	_cleanup_free_ char *path = uplink_marker_path(state_dir, name);
	_cleanup_free_ char *text = NULL;
	struct uplink_marker *mk;
	json_t *j;
	int r;

	if (!path)
		return -ENOMEM;
	r = read_file(path, UPLINK_MARKER_FILE_MAX, &text, NULL);
	if (r < 0)
		return r;
	j = json_loads(text, 0, NULL);
	if (!j)
		return -EBADMSG;
	mk = calloc(1, sizeof(*mk));
	if (!mk) {
		json_decref(j);
		return -ENOMEM;
	}
	r = uplink_marker_from_json(j, mk);
	json_decref(j);
	if (r < 0) {
		free(mk);
		return r;
	}
	*ret = mk;
	return 0;
}

int uplink_marker_remove(const char *state_dir, const char *name)
{
	_cleanup_free_ char *path = uplink_marker_path(state_dir, name);
	int r;

	if (!path)
		return -ENOMEM;
	r = unlink_and_sync(path);
	return r == -ENOENT ? 0 : r;
}

bool uplink_marker_exists(const char *state_dir, const char *name)
{
	_cleanup_free_ char *path = uplink_marker_path(state_dir, name);

	return path && access(path, F_OK) == 0;
}
