/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of graph-dot.h. The picture, top to bottom: the outside (the host's uplinks),
 * then one box (cluster) per network, coloured by mode, holding its bridge, under it its ports
 * and under each port the guests seen through it (leases and reservations, matched by MAC or
 * address); guests seen through no kvmnet port hang from the bridge. Isolated networks have no
 * edge to the outside and a red dashed fence. Forwards are arrows from the outside to their
 * target. A legend explains the colours. A lab's nodes (the "labs" member: lab.status of each)
 * are drawn once each, below the networks in a box for their lab, with a line from every port
 * of theirs: a node on two networks is one shape joined to both, not a guest per network.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/graph-dot.h"

struct mode_style {
	const char *mode, *fill, *border, *edge;
};

static const struct mode_style mode_styles[] = {
	{ "nat", "#dcebfa", "#1f6fb2", "NAT" },
	{ "routed", "#dff3df", "#2e8b3a", "routed" },
	{ "isolated", "#f2f2f2", "#c0392b", NULL },
	{ "open", "#fff3c4", "#b8860b", "open" },
	{ "bridge", "#fde3cc", "#d35400", "bridged" },
	{ "macvtap", "#ecdff5", "#7d3c98", "macvtap" },
};
static const struct mode_style unknown_style = { "?", "#ffffff", "#555555", "" };

struct guest {
	const char *mac, *ip, *hostname;
	bool leased, reserved;
	long port;   /* index into the network's ports, -1: through no kvmnet port */
	bool lab_node;   /* seen through a lab node's port: the node is drawn for it */
};

/* The id of the shape of node 'node' of lab 'lab' in "labs" ("" when there is none). */
static void lab_node_id(json_t *labs, const char *lab, const char *node, char *buf, size_t size)
{
	json_t *l, *n;
	size_t i, j;

	buf[0] = '\0';
	json_array_foreach(labs, i, l) {
		const char *name = json_string_value(json_object_get(l, "name"));
		if (!lab || !name || strcmp(name, lab) != 0)
			continue;
		json_array_foreach(json_object_get(l, "nodes"), j, n) {
			const char *nn = json_string_value(json_object_get(n, "name"));
			if (node && nn && strcmp(nn, node) == 0) {
				snprintf(buf, size, "l%zun%zu", i, j);
				return;
			}
		}
	}
}

void graph_dot_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fputc('\\', out);
		/* a control character would be a line break or worse: shown as '?' */
		fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
	}
}

/* A non-empty string member, else NULL. */
static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && s[0] ? s : NULL;
}

/* The first of 'keys' present as a string or integer, formatted into 'buf'; else NULL. */
static const char *scalar(json_t *o, const char *const *keys, char *buf, size_t size)
{
	for (; *keys; keys++) {
		json_t *v = json_object_get(o, *keys);
		if (json_is_string(v) && json_string_length(v))
			return json_string_value(v);
		if (json_is_integer(v)) {
			snprintf(buf, size, "%lld", (long long)json_integer_value(v));
			return buf;
		}
	}
	return NULL;
}

static const struct mode_style *style_of(const char *mode)
{
	for (size_t i = 0; mode && i < sizeof(mode_styles) / sizeof(mode_styles[0]); i++)
		if (strcmp(mode_styles[i].mode, mode) == 0)
			return &mode_styles[i];
	return &unknown_style;
}

/* Writes "\n" then 'prefix' and the escaped 'value', when 'value' is set. */
static void line(FILE *out, const char *prefix, const char *value)
{
	if (!value)
		return;
	fputs("\\n", out);
	fputs(prefix, out);
	graph_dot_escape(out, value);
}

/* A cluster caption's line: 'prefix', the escaped 'value', "\l"; nothing without 'value'. */
static void cline(FILE *out, const char *prefix, const char *value)
{
	if (!value)
		return;
	fputs(prefix, out);
	graph_dot_escape(out, value);
	fputs("\\l", out);
}

static bool same(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* Finds or adds the guest of 'mac' (or, without a MAC, 'ip') in 'g'. */
static struct guest *guest_get(struct guest *g, size_t *n, const char *mac, const char *ip)
{
	for (size_t i = 0; i < *n; i++)
		if (mac ? same(g[i].mac, mac) : same(g[i].ip, ip))
			return &g[i];
	g[*n] = (struct guest){ .mac = mac, .ip = ip, .port = -1 };
	return &g[(*n)++];
}

static void render_legend(FILE *out)
{
	fputs("\tlegend [shape=plaintext, style=\"\", label=<<table border=\"0\" cellborder=\"1\" "
	      "cellspacing=\"2\" cellpadding=\"3\"><tr><td colspan=\"2\"><b>legend</b></td></tr>\n",
	      out);
	for (size_t i = 0; i < sizeof(mode_styles) / sizeof(mode_styles[0]); i++)
		fprintf(out,
			"\t\t<tr><td bgcolor=\"%s\" color=\"%s\" width=\"24\"> </td>"
			"<td align=\"left\">%s%s</td></tr>\n",
			mode_styles[i].fill, mode_styles[i].border, mode_styles[i].mode,
			strcmp(mode_styles[i].mode, "isolated") == 0 ?
				" (red dashed fence: no way out)" : " network");
	fputs("\t\t<tr><td>&#9633;</td><td align=\"left\">box: bridge or port (tap)</td></tr>\n"
	      "\t\t<tr><td>&#9711;</td><td align=\"left\">oval: guest (lease); dashed: "
	      "reserved, no lease</td></tr>\n"
	      "\t\t<tr><td>&#8594;</td><td align=\"left\">red arrow: port forward</td></tr>\n"
	      "\t\t<tr><td bgcolor=\"#fff0d9\"> </td><td align=\"left\">3-D box: a lab's QEMU guest "
	      "node</td></tr>\n"
	      "\t\t<tr><td bgcolor=\"#eef6ff\"> </td><td align=\"left\">box with tabs: a lab's "
	      "netns node</td></tr>\n"
	      "\t</table>>];\n",
	      out);
}

/* The node id of each guest with an address, for the forwards' arrows. */
struct guest_index {
	const char *ip;
	char id[48];
};

static void render_network(FILE *out, size_t ni, json_t *net, json_t *ports, json_t *leases,
			   json_t *labs, struct guest_index *gidx, size_t *n_gidx)
{
	char lid[48];
	const char *name = str(net, "name"), *mode = str(net, "mode");
	const struct mode_style *st = style_of(mode);
	bool isolated = mode && strcmp(mode, "isolated") == 0;
	bool active = !str(net, "state") || strcmp(str(net, "state"), "active") == 0;
	json_t *hosts = json_object_get(net, "hosts"), *v;
	size_t cap = json_array_size(leases) + json_array_size(hosts), n_guests = 0, i;
	struct guest *guests = calloc(cap ? cap : 1, sizeof(*guests));
	json_t **myports = calloc(json_array_size(ports) + 1, sizeof(*myports));
	size_t n_ports = 0;

	if (!guests || !myports) {
		free(guests);
		free(myports);
		return;
	}
	json_array_foreach(ports, i, v)
		if (same(str(v, "network"), name) || (!str(v, "network") && !name))
			myports[n_ports++] = v;
	json_array_foreach(leases, i, v) {
		struct guest *g;
		if (!same(str(v, "network"), name) || (!str(v, "mac") && !str(v, "ip")))
			continue;
		g = guest_get(guests, &n_guests, str(v, "mac"), str(v, "ip"));
		g->leased = true;
		g->ip = str(v, "ip") ? str(v, "ip") : g->ip;
		g->hostname = g->hostname ? g->hostname : str(v, "hostname");
	}
	json_array_foreach(hosts, i, v) {
		struct guest *g;
		if (!str(v, "mac") && !str(v, "ip"))
			continue;
		g = guest_get(guests, &n_guests, str(v, "mac"), str(v, "ip"));
		g->reserved = true;
		g->ip = g->ip ? g->ip : str(v, "ip");
		if (str(v, "hostname"))
			g->hostname = str(v, "hostname");   /* the administrator's name wins */
	}

	fprintf(out, "\tsubgraph cluster_n%zu {\n\t\tlabel=\"", ni);
	graph_dot_escape(out, name ? name : "?");
	fputs(" (", out);
	graph_dot_escape(out, mode ? mode : "?");
	fputs(active ? ")" : ", inactive)", out);
	/* left-justified lines ("\l" ends each) read as a caption */
	fputs("\\l", out);
	cline(out, "subnet ", str(net, "subnet"));
	cline(out, "gateway ", str(net, "gateway"));
	cline(out, "domain ", str(net, "domain"));
	if (isolated)
		fputs("isolated: no way out\\l", out);
	if (json_is_true(json_object_get(net, "isolate-ports")))
		fputs("ports isolated from each other\\l", out);
	/* the caption on top, right: lines from ports down to lab nodes, and from the outside down
	 * to the bridge, would cross it below or on the left */
	fprintf(out, "\";\n\t\tlabelloc=t; labeljust=r; style=\"%s\"; fillcolor=\"%s\"; "
		"color=\"%s\"; penwidth=%s;\n",
		isolated ? "filled,dashed" : active ? "filled,rounded" : "filled,rounded,dotted",
		active ? st->fill : "#fafafa", st->border, isolated ? "4" : "2");

	fprintf(out, "\t\tn%zub [shape=box, style=\"filled,bold\", fillcolor=white, color=\"%s\", "
		"label=\"bridge ", ni, st->border);
	graph_dot_escape(out, str(net, "bridge") ? str(net, "bridge") : "?");
	line(out, "", str(net, "gateway"));
	if (json_is_true(json_object_get(net, "dhcp")))
		line(out, "DHCP ", str(net, "dhcp-range"));
	fputs("\"];\n", out);

	for (size_t p = 0; p < n_ports; p++) {
		json_t *o = myports[p];
		const char *state = str(o, "state");
		fprintf(out, "\t\tn%zup%zu [shape=box, style=\"filled\", fillcolor=\"#ffffff\", "
			"label=\"port ", ni, p);
		graph_dot_escape(out, str(o, "name") ? str(o, "name") : "?");
		line(out, "", str(o, "mac"));
		line(out, "", str(o, "ip"));
		lab_node_id(labs, str(o, "lab"), str(o, "node"), lid, sizeof(lid));
		if (str(o, "lab") && !lid[0]) {   /* a lab's port whose lab is not in the document */
			line(out, "lab ", str(o, "lab"));
			line(out, "node ", str(o, "node"));
		}
		if (state && strcmp(state, "up") != 0)
			line(out, "", state);
		fputs("\"];\n", out);
		for (size_t k = 0; k < n_guests; k++)
			if (guests[k].port < 0 && (same(guests[k].mac, str(o, "mac")) ||
						   same(guests[k].ip, str(o, "ip")))) {
				guests[k].port = (long)p;
				guests[k].lab_node = lid[0] != '\0';
			}
	}
	for (size_t k = 0; k < n_guests; k++) {
		struct guest *g = &guests[k];
		if (g->lab_node) {   /* the node's shape stands for it: forwards point there */
			json_t *o = myports[g->port];
			lab_node_id(labs, str(o, "lab"), str(o, "node"), lid, sizeof(lid));
			if (g->ip) {
				gidx[*n_gidx].ip = g->ip;
				snprintf(gidx[*n_gidx].id, sizeof(gidx[*n_gidx].id), "%s", lid);
				(*n_gidx)++;
			}
			continue;
		}
		fprintf(out, "\t\tn%zug%zu [shape=ellipse, style=\"%s\", fillcolor=\"#fffdf5\", "
			"label=\"", ni, k, g->leased ? "filled" : "filled,dashed");
		graph_dot_escape(out, g->hostname ? g->hostname : "(no hostname)");
		line(out, "", g->ip);
		line(out, "", g->mac);
		fputs(g->leased && g->reserved ? "\\nlease, reserved" :
		      g->leased ? "\\nlease" : "\\nreserved, no lease", out);
		fputs("\"];\n", out);
		if (g->ip) {
			gidx[*n_gidx].ip = g->ip;
			snprintf(gidx[*n_gidx].id, sizeof(gidx[*n_gidx].id), "n%zug%zu", ni, k);
			(*n_gidx)++;
		}
	}
	fputs("\t}\n", out);

	if (isolated)   /* keeps the box under the outside, without a line to it */
		fprintf(out, "\toutside -> n%zub [style=invis];\n", ni);
	else {
		fprintf(out, "\toutside -> n%zub [color=\"%s\", penwidth=2, label=\"", ni,
			st->border);
		graph_dot_escape(out, st->edge ? st->edge : mode ? mode : "?");
		if (str(net, "uplink")) {
			fputs(" via ", out);
			graph_dot_escape(out, str(net, "uplink"));
		}
		fputs("\"];\n", out);
	}
	for (size_t p = 0; p < n_ports; p++) {
		fprintf(out, "\tn%zub -> n%zup%zu;\n", ni, ni, p);
		lab_node_id(labs, str(myports[p], "lab"), str(myports[p], "node"), lid, sizeof(lid));
		if (lid[0])
			fprintf(out, "\tn%zup%zu -> %s;\n", ni, p, lid);
	}
	for (size_t k = 0; k < n_guests; k++) {
		if (guests[k].lab_node)
			continue;
		if (guests[k].port >= 0)
			fprintf(out, "\tn%zup%ld -> n%zug%zu;\n", ni, guests[k].port, ni, k);
		else
			fprintf(out, "\tn%zub -> n%zug%zu [style=dashed];\n", ni, ni, k);
	}
	free(guests);
	free(myports);
}

/* A nic's impairments, on a line of their own under it ("rate 2mbit loss 5%"). */
static void render_impairments(FILE *out, json_t *nic)
{
	static const char *const keys[] = { "rate", "loss", "delay", "jitter" };
	const char *sep = "\\n  ";

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!str(nic, keys[i]))
			continue;
		fprintf(out, "%s%s ", sep, keys[i]);
		graph_dot_escape(out, str(nic, keys[i]));
		sep = " ";
	}
}

/* One box per lab, below the networks, with a shape per node: its kind, state and addresses. */
static void render_lab(FILE *out, size_t li, json_t *lab)
{
	json_t *n, *nic;
	size_t j, k;
	json_int_t failed = json_integer_value(json_object_get(lab, "checks-failed"));
	size_t n_checks = json_array_size(json_object_get(lab, "checks"));

	fprintf(out, "\tsubgraph cluster_l%zu {\n\t\tlabel=\"lab ", li);
	graph_dot_escape(out, str(lab, "name") ? str(lab, "name") : "?");
	fputs(" (", out);
	graph_dot_escape(out, str(lab, "state") ? str(lab, "state") : "?");
	if (n_checks)
		fprintf(out, ", %zu of %zu checks passed", n_checks - (size_t)failed, n_checks);
	fputs(")\\l\";\n\t\tlabelloc=b; style=\"filled,rounded\"; fillcolor=\"#fbfbf7\"; "
	      "color=\"#777777\"; penwidth=1;\n", out);
	json_array_foreach(json_object_get(lab, "nodes"), j, n) {
		const char *kind = str(n, "kind"), *state = str(n, "state");
		bool qemu = kind && strcmp(kind, "qemu") == 0;

		fprintf(out, "\t\tl%zun%zu [shape=%s, style=\"filled%s\", fillcolor=\"%s\", "
			"label=\"node ", li, j, qemu ? "box3d" : "component",
			state && strcmp(state, "up") == 0 ? "" : ",dashed",
			qemu ? "#fff0d9" : "#eef6ff");
		graph_dot_escape(out, str(n, "name") ? str(n, "name") : "?");
		fputs(qemu ? "\\nQEMU guest" : "\\nnetns", out);
		line(out, "", str(n, "namespace"));
		json_array_foreach(json_object_get(n, "nics"), k, nic) {
			fputs("\\n", out);
			graph_dot_escape(out, str(nic, "ifname") ? str(nic, "ifname") : "?");
			fputc(' ', out);
			graph_dot_escape(out, str(nic, "address") ? str(nic, "address") :
					      json_is_true(json_object_get(nic, "dhcp")) ?
						      "(DHCP, no address yet)" : "?");
			fputs(" (", out);
			graph_dot_escape(out, str(nic, "network") ? str(nic, "network") : "?");
			fputc(')', out);
			render_impairments(out, nic);
			if (str(nic, "link") && strcmp(str(nic, "link"), "up") != 0)
				fputs("\\n  link down", out);
		}
		if (state && strcmp(state, "up") != 0)
			line(out, "", state);
		fputs("\"];\n", out);
	}
	fputs("\t}\n", out);
}

static void render_forward(FILE *out, size_t fi, json_t *f, const struct guest_index *gidx,
			   size_t n_gidx)
{
	static const char *const proto_keys[] = { "proto", "protocol", NULL };
	static const char *const listen_keys[] = { "host-port", "listen-port", "external-port",
						   "port", NULL };
	static const char *const ip_keys[] = { "to-ip", "guest-ip", "dest-ip", "ip", "to",
					       "dest", "target", NULL };
	static const char *const tport_keys[] = { "to-port", "guest-port", "dest-port", NULL };
	char b1[32], b2[32], ip[64] = "";
	const char *proto = scalar(f, proto_keys, b1, sizeof(b1));
	const char *listen = scalar(f, listen_keys, b2, sizeof(b2));
	const char *to = scalar(f, ip_keys, ip, sizeof(ip)), *tport;
	const char *target = NULL;
	char b3[32];

	tport = scalar(f, tport_keys, b3, sizeof(b3));
	if (to) {
		size_t len = strcspn(to, ":");
		snprintf(ip, sizeof(ip), "%.*s", (int)(len < 63 ? len : 63), to);
	}
	for (size_t i = 0; ip[0] && i < n_gidx; i++)
		if (strcmp(gidx[i].ip, ip) == 0)
			target = gidx[i].id;
	if (!target) {
		fprintf(out, "\tf%zu [shape=box, style=\"filled,dashed\", fillcolor=white, label=\"",
			fi);
		graph_dot_escape(out, ip[0] ? ip : "?");
		fputs("\"];\n", out);
	}
	fputs("\toutside -> ", out);
	if (target)
		fputs(target, out);
	else
		fprintf(out, "f%zu", fi);
	fputs(" [color=\"#c0392b\", fontcolor=\"#c0392b\", style=bold, arrowhead=normal, "
	      "constraint=false, label=\"forward ", out);
	graph_dot_escape(out, proto ? proto : "");
	fputs(proto ? " :" : ":", out);
	graph_dot_escape(out, listen ? listen : "?");
	fputs(" -> ", out);
	graph_dot_escape(out, to ? to : "?");
	if (tport && (!to || !strchr(to, ':'))) {
		fputc(':', out);
		graph_dot_escape(out, tport);
	}
	fputs("\"];\n", out);
}

int graph_dot_render(json_t *topo, FILE *out)
{
	json_t *nets = json_object_get(topo, "networks"), *ports = json_object_get(topo, "ports");
	json_t *leases = json_object_get(topo, "leases"), *fwd = json_object_get(topo, "forwards");
	json_t *labs = json_object_get(topo, "labs");
	size_t n_gidx = 0, cap = json_array_size(leases) + 1, i;
	struct guest_index *gidx;
	json_t *v;

	json_array_foreach(nets, i, v)
		cap += json_array_size(json_object_get(v, "hosts"));
	gidx = calloc(cap, sizeof(*gidx));
	if (!gidx)
		return -ENOMEM;
	fputs("digraph kvmnet {\n"
	      "\tgraph [fontname=\"Helvetica\", fontsize=12, rankdir=TB, nodesep=0.25, "
	      "ranksep=0.45, labeljust=l, label=\"kvmnet: networks, ports and guests\", "
	      "labelloc=t];\n"
	      "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	      "\tedge [fontname=\"Helvetica\", fontsize=9, color=\"#666666\", arrowhead=none];\n"
	      "\toutside [shape=octagon, style=filled, fillcolor=\"#e8e8e8\", "
	      "label=\"outside\\n(the host's uplinks)\"];\n",
	      out);
	render_legend(out);
	json_array_foreach(nets, i, v)
		render_network(out, i, v, ports, leases, labs, gidx, &n_gidx);
	json_array_foreach(labs, i, v)
		render_lab(out, i, v);
	json_array_foreach(fwd, i, v)
		render_forward(out, i, v, gidx, n_gidx);
	fputs("}\n", out);
	free(gidx);
	return ferror(out) ? -EIO : 0;
}
