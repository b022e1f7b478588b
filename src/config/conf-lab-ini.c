/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of a lab file (conf-lab.h): read through inih with a line reader of our own (exact
 * line numbers, section headers checked as they come, NUL bytes and long lines refused, as for
 * network definitions). [network NAME] keys go through network_config_set(), so a lab's
 * networks take exactly the keys and values a network's own file takes.
 */
#include "config/conf-lab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config/conf-lab-internal.h"
#include "config/conf-network-internal.h"
#include "shared/alloc-util.h"

#define LAB_LINE_MAX 1000
#define LAB_INIH_LINE_BUF (LAB_LINE_MAX + 3)

enum node_key { NODE_KIND, NODE_NICS, NODE_LISTEN, NODE_KERNEL, NODE_INITRD, NODE_DISK,
		NODE_MEMORY, NODE_CPUS, _NODE_KEY_MAX };
static const char *const node_keys[_NODE_KEY_MAX] = {
	"kind", "nics", "listen", "kernel", "initrd", "disk", "memory", "cpus",
};
#define FIRST_QEMU_KEY NODE_KERNEL

enum check_key { CHECK_FROM, CHECK_TO, CHECK_EXPECT, _CHECK_KEY_MAX };
static const char *const check_keys[_CHECK_KEY_MAX] = { "from", "to", "expect" };

enum forward_key { FWD_NETWORK, FWD_PROTO, FWD_HOST_PORT, FWD_HOST_ADDRESS, FWD_TO,
		   _FWD_KEY_MAX };
static const char *const forward_keys[_FWD_KEY_MAX] = {
	"network", "proto", "host-port", "host-address", "to",
};
/* Longest "FIRST-LAST" of a forward's to = NODE:FIRST-LAST. */
#define FWD_PORTS_MAX 11

/* A [forward] section as read: its target node is resolved once the whole lab is read. */
struct parsed_forward {
	int key_line[_FWD_KEY_MAX];
	char to_ports[FWD_PORTS_MAX + 1];
};

static const char *const impair_keys[] = { "rate", "loss", "delay", "jitter" };
#define IMPAIR_KEYS ELEMENTSOF(impair_keys)

/* The impairments given for one network of a node, before its nics are known. */
struct parsed_impair {
	char network[NETWORK_NAME_MAX + 1];
	struct lab_impair imp;
	int key_line[IMPAIR_KEYS];
	int line;               /* of the first key */
};

struct parsed_node {
	int key_line[_NODE_KEY_MAX];
	struct parsed_impair impairs[LAB_NODE_NICS_MAX];
	size_t n_impairs;
};

enum parse_section {
	SECTION_NONE,
	SECTION_LAB,
	SECTION_NETWORK,        /* the last of c->networks */
	SECTION_NODE,           /* the last of c->nodes */
	SECTION_CHECK,          /* the last of c->checks */
	SECTION_FORWARD,        /* the last of c->forwards */
};

struct parse_state {
	const char *p, *end;
	int line;
	int err_line;           /* line of the first error, 0 = none */
	int err;                /* its code: -EINVAL, -E2BIG or -ENOMEM */
	enum parse_section section;
	int lab_line, lab_name_line;
	struct lab_config *c;
	int (*net_key_line)[CONF_NETWORK_KEYS]; /* per network; owned */
	struct parsed_node *pnodes;             /* per node; owned */
	int (*check_key_line)[_CHECK_KEY_MAX];  /* per check; owned */
	struct parsed_forward *pforwards;       /* per forward; owned */
	char *reterr;
	size_t errlen;
};

_printf_(3, 4) static void fail_at(struct parse_state *st, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (st->err_line > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->err_line = st->line > 0 ? st->line : 1;
	st->err = err;
	conf_fail(st->reterr, st->errlen, "line %d: %s", st->err_line, msg);
}

#define fail(st, ...) fail_at((st), -EINVAL, __VA_ARGS__)

/* Grows '*items' (n used) to hold one more of 'size' bytes, zeroed. false after an error. */
static bool grow(struct parse_state *st, void **items, size_t n, size_t size)
{
	void *p;

	if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4, ...: capacity is the next power of two */
		p = realloc(*items, (n ? 2 * n : 1) * size);
		if (!p) {
			fail_at(st, -ENOMEM, "out of memory");
			return false;
		}
		*items = p;
	}
	memset((char *)*items + n * size, 0, size);
	return true;
}

static bool section_name(struct parse_state *st, const char *kind, const char *rest, size_t len,
			 char *name)
{
	char buf[CONF_SHOW_BUF], v[CONF_SHOW_BUF];

	while (len > 0 && (*rest == ' ' || *rest == '\t'))
		rest++, len--;
	while (len > 0 && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
		len--;
	if (len == 0) {
		fail(st, "[%s] needs a name: [%s NAME]", kind, kind);
		return false;
	}
	if (len > CONF_SHOW_MAX)
		len = CONF_SHOW_MAX;
	memcpy(buf, rest, len);
	buf[len] = '\0';
	if (!network_name_is_valid(buf)) {
		fail(st, "invalid %s name '%s': expected 1-32 characters from a-z, 0-9, '_' and "
		     "'-', starting with a letter or digit", kind, conf_show(buf, v));
		return false;
	}
	strcpy(name, buf);
	return true;
}

static bool start_network(struct parse_state *st, const char *name)
{
	struct lab_config *c = st->c;
	const struct lab_network *dup = lab_config_find_network(c, name);
	struct lab_network *n;

	if (dup) {
		fail(st, "duplicate section [network %s] (first on line %d)", name, dup->line);
		return false;
	}
	if (c->n_networks >= LAB_NETWORKS_MAX) {
		fail_at(st, -E2BIG, "more than %d networks", LAB_NETWORKS_MAX);
		return false;
	}
	if (!grow(st, (void **)&c->networks, c->n_networks, sizeof(*c->networks)) ||
	    !grow(st, (void **)&st->net_key_line, c->n_networks, sizeof(*st->net_key_line)))
		return false;
	n = &c->networks[c->n_networks++];
	network_config_init(&n->config);
	(void)network_config_set(&n->config, "name", name, NULL, 0); /* valid: checked above */
	n->line = st->line;
	st->section = SECTION_NETWORK;
	return true;
}

static bool start_node(struct parse_state *st, const char *name)
{
	struct lab_config *c = st->c;
	const struct lab_node *dup = lab_config_find_node(c, name);
	struct lab_node *n;

	if (dup) {
		fail(st, "duplicate section [node %s] (first on line %d)", name, dup->line);
		return false;
	}
	if (c->n_nodes >= LAB_NODES_MAX) {
		fail_at(st, -E2BIG, "more than %d nodes", LAB_NODES_MAX);
		return false;
	}
	if (!grow(st, (void **)&c->nodes, c->n_nodes, sizeof(*c->nodes)) ||
	    !grow(st, (void **)&st->pnodes, c->n_nodes, sizeof(*st->pnodes)))
		return false;
	n = &c->nodes[c->n_nodes++];
	strcpy(n->name, name);
	n->kind = LAB_NODE_NETNS;
	n->memory_mib = LAB_MEMORY_DEFAULT_MIB;
	n->cpus = 1;
	n->line = st->line;
	st->section = SECTION_NODE;
	return true;
}

static bool start_check(struct parse_state *st, const char *name)
{
	struct lab_config *c = st->c;
	struct lab_check *ch;

	for (size_t i = 0; i < c->n_checks; i++)
		if (strcmp(c->checks[i].name, name) == 0) {
			fail(st, "duplicate section [check %s] (first on line %d)", name,
			     c->checks[i].line);
			return false;
		}
	if (c->n_checks >= LAB_CHECKS_MAX) {
		fail_at(st, -E2BIG, "more than %d checks", LAB_CHECKS_MAX);
		return false;
	}
	if (!grow(st, (void **)&c->checks, c->n_checks, sizeof(*c->checks)) ||
	    !grow(st, (void **)&st->check_key_line, c->n_checks, sizeof(*st->check_key_line)))
		return false;
	ch = &c->checks[c->n_checks++];
	strcpy(ch->name, name);
	ch->line = st->line;
	st->section = SECTION_CHECK;
	return true;
}

static bool start_forward(struct parse_state *st, const char *rest, size_t len)
{
	struct lab_config *c = st->c;
	char name[FORWARD_NAME_MAX + 1], buf[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	struct lab_forward *f;

	while (len > 0 && (*rest == ' ' || *rest == '\t'))
		rest++, len--;
	while (len > 0 && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
		len--;
	if (len == 0) {
		fail(st, "[forward] needs a name: [forward NAME]");
		return false;
	}
	if (len > CONF_SHOW_MAX)
		len = CONF_SHOW_MAX;
	memcpy(buf, rest, len);
	buf[len] = '\0';
	if (!network_forward_name_is_valid(buf)) {
		fail(st, "invalid forward name '%s': expected 1-63 characters from a-z, 0-9, '_', "
		     "'.' and '-', starting with a letter or digit", conf_show(buf, v));
		return false;
	}
	strcpy(name, buf);
	for (size_t i = 0; i < c->n_forwards; i++)
		if (strcmp(c->forwards[i].fwd.name, name) == 0) {
			fail(st, "duplicate section [forward %s] (first on line %d)", name,
			     c->forwards[i].line);
			return false;
		}
	if (c->n_forwards >= LAB_FORWARDS_MAX) {
		fail_at(st, -E2BIG, "more than %d forwards", LAB_FORWARDS_MAX);
		return false;
	}
	if (!grow(st, (void **)&c->forwards, c->n_forwards, sizeof(*c->forwards)) ||
	    !grow(st, (void **)&st->pforwards, c->n_forwards, sizeof(*st->pforwards)))
		return false;
	f = &c->forwards[c->n_forwards++];
	network_forward_init(&f->fwd);
	strcpy(f->fwd.name, name);
	f->line = st->line;
	st->section = SECTION_FORWARD;
	return true;
}

/* "[KIND NAME]": true if the header is of that kind (NAME then checked and set in 'name'). */
static bool header_is(const char *s, size_t n, const char *kind)
{
	size_t k = strlen(kind);

	return n >= k && memcmp(s + 1, kind, k) == 0 && (n == k || s[k + 1] == ' ' ||
							 s[k + 1] == '\t');
}

static bool parse_section_header(struct parse_state *st, const char *s, size_t len)
{
	static const char *const kinds[] = { "network", "node", "check" };
	const char *close = memchr(s, ']', len);
	char name[LAB_NAME_MAX + 1], shown[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	size_t n, i;

	if (!close) {
		fail(st, "missing ']' in section header");
		return false;
	}
	for (i = (size_t)(close - s) + 1; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i < len && s[i] != ';' && s[i] != '#') {
		fail(st, "unexpected text after section header");
		return false;
	}
	n = (size_t)(close - s) - 1;
	if (n == 3 && memcmp(s + 1, "lab", 3) == 0) {
		if (st->lab_line > 0) {
			fail(st, "duplicate section [lab] (first on line %d)", st->lab_line);
			return false;
		}
		st->lab_line = st->line;
		st->section = SECTION_LAB;
		return true;
	}
	if (header_is(s, n, "forward"))
		return start_forward(st, s + 8, n - 7);
	for (size_t k = 0; k < ELEMENTSOF(kinds); k++) {
		size_t kl = strlen(kinds[k]);

		if (!header_is(s, n, kinds[k]))
			continue;
		if (!section_name(st, kinds[k], s + 1 + kl, n - kl, name))
			return false;
		return k == 0 ? start_network(st, name) : k == 1 ? start_node(st, name)
								  : start_check(st, name);
	}
	if (n > CONF_SHOW_MAX)
		n = CONF_SHOW_MAX;
	memcpy(shown, s + 1, n);
	shown[n] = '\0';
	fail(st, "unknown section [%s] (expected [lab], [network NAME], [node NAME], "
	     "[check NAME] or [forward NAME])", conf_show(shown, v));
	return false;
}

/* inih reader: one line per call, indentation, BOM and '\r' stripped, NUL and long lines refused. */
static char *parse_reader(char *buf, int size, void *userdata)
{
	struct parse_state *st = userdata;
	size_t len, max = size > 3 ? (size_t)size - 3 : 0;
	const char *s;

	if (st->err_line > 0)
		return NULL;
	if (max > LAB_LINE_MAX)
		max = LAB_LINE_MAX;
	switch (conf_line_take(&st->p, st->end, &st->line, max, &s, &len)) {
	case CONF_LINE_END:
		return NULL;
	case CONF_LINE_NUL:
		fail(st, "NUL byte");
		return NULL;
	case CONF_LINE_LONG:
		fail(st, "line too long (more than %zu characters)", max);
		return NULL;
	case CONF_LINE_OK:
		break;
	}
	if (len > 0 && s[0] == '[' && !parse_section_header(st, s, len))
		return NULL;
	return conf_line_give(buf, s, len);
}

/* Marks 'key' set on this line; false (after an error) when it already was. */
static bool key_once(struct parse_state *st, int *line, const char *key, const char *section)
{
	if (*line > 0) {
		fail(st, "duplicate key '%s' in %s (first set on line %d)", key, section, *line);
		return false;
	}
	*line = st->line;
	return true;
}

static int lab_key(struct parse_state *st, const char *name, const char *value)
{
	char k[CONF_SHOW_BUF], v[CONF_SHOW_BUF];

	if (strcmp(name, "name") != 0) {
		fail(st, "unknown key '%s' in [lab] (expected name)", conf_show(name, k));
		return 0;
	}
	if (!key_once(st, &st->lab_name_line, "name", "[lab]"))
		return 0;
	if (!network_name_is_valid(value)) {
		fail(st, "invalid lab name '%s': expected 1-32 characters from a-z, 0-9, '_' and "
		     "'-', starting with a letter or digit", conf_show(value, v));
		return 0;
	}
	strcpy(st->c->name, value);
	return 1;
}

static int network_key(struct parse_state *st, const char *name, const char *value)
{
	struct lab_network *n = &st->c->networks[st->c->n_networks - 1];
	char sec[LAB_NAME_MAX + 12], msg[512], k[CONF_SHOW_BUF];
	int i = network_key_find(name);

	snprintf(sec, sizeof(sec), "[network %s]", n->config.name);
	if (strcmp(name, "name") == 0) {
		fail(st, "key 'name' is not allowed in %s: the section names the network", sec);
		return 0;
	}
	if (i < 0) {
		fail(st, "unknown key '%s' in %s", conf_show(name, k), sec);
		return 0;
	}
	if (!key_once(st, &st->net_key_line[st->c->n_networks - 1][i], name, sec))
		return 0;
	if (network_config_set(&n->config, name, value, msg, sizeof(msg)) < 0) {
		fail(st, "%s", msg);
		return 0;
	}
	return 1;
}

/* One "NET[:IP]" of nics. */
static bool nics_item(struct parse_state *st, struct lab_node *node, const char *item)
{
	char v[CONF_SHOW_BUF], net[CONF_SHOW_BUF];
	const char *colon = strchr(item, ':');
	size_t n = colon ? (size_t)(colon - item) : strlen(item);
	struct lab_nic nic = { 0 };

	if (n > CONF_SHOW_MAX)
		n = CONF_SHOW_MAX;
	memcpy(net, item, n);
	net[n] = '\0';
	if (!network_name_is_valid(net)) {
		fail(st, "invalid nics item '%s': expected NETWORK or NETWORK:ADDRESS",
		     conf_show(item, v));
		return false;
	}
	if (colon && in_addr_from_string(colon + 1, &nic.ip) < 0) {
		fail(st, "invalid nics item '%s': '%s' is not an IPv4 address", conf_show(item, v),
		     conf_show(colon + 1, net));
		return false;
	}
	if (lab_node_find_nic(node, net)) {
		fail(st, "invalid nics: network %s is listed twice", net);
		return false;
	}
	if (node->n_nics >= LAB_NODE_NICS_MAX) {
		fail(st, "invalid nics: more than %d nics", LAB_NODE_NICS_MAX);
		return false;
	}
	strcpy(nic.network, net);
	nic.has_ip = colon != NULL;
	node->nics[node->n_nics++] = nic;
	return true;
}

static bool node_nics(struct parse_state *st, struct lab_node *node, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	char *save = NULL;

	if (!copy) {
		fail_at(st, -ENOMEM, "out of memory");
		return false;
	}
	for (char *t = strtok_r(copy, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save))
		if (!nics_item(st, node, t))
			return false;
	if (node->n_nics == 0) {
		fail(st, "invalid nics '': expected NETWORK[:ADDRESS] ...");
		return false;
	}
	return true;
}

/* "nic.NET.KEY = VALUE" of the current node. */
static int node_impair_key(struct parse_state *st, const char *name, const char *value)
{
	struct parsed_node *pn = &st->pnodes[st->c->n_nodes - 1];
	const char *dot = strrchr(name + 4, '.');
	char net[CONF_SHOW_BUF], k[CONF_SHOW_BUF], msg[512], sec[LAB_NAME_MAX + 10];
	struct parsed_impair *pi = NULL;
	size_t n = dot ? (size_t)(dot - (name + 4)) : 0;
	size_t ki;

	snprintf(sec, sizeof(sec), "[node %s]", st->c->nodes[st->c->n_nodes - 1].name);
	if (n > CONF_SHOW_MAX)
		n = CONF_SHOW_MAX;
	memcpy(net, name + 4, n);
	net[n] = '\0';
	for (ki = 0; dot && ki < IMPAIR_KEYS; ki++)
		if (strcmp(dot + 1, impair_keys[ki]) == 0)
			break;
	if (!dot || ki == IMPAIR_KEYS || !network_name_is_valid(net)) {
		fail(st, "unknown key '%s' in %s (impairments are nic.NETWORK.rate, .loss, "
		     ".delay or .jitter)", conf_show(name, k), sec);
		return 0;
	}
	for (size_t i = 0; i < pn->n_impairs; i++)
		if (strcmp(pn->impairs[i].network, net) == 0)
			pi = &pn->impairs[i];
	if (!pi) {
		if (pn->n_impairs >= LAB_NODE_NICS_MAX) {
			fail(st, "impairments for more than %d networks in %s", LAB_NODE_NICS_MAX,
			     sec);
			return 0;
		}
		pi = &pn->impairs[pn->n_impairs++];
		strcpy(pi->network, net);
		pi->line = st->line;
	}
	if (!key_once(st, &pi->key_line[ki], name, sec))
		return 0;
	if (lab_impair_set(&pi->imp, impair_keys[ki], value, msg, sizeof(msg)) < 0) {
		fail(st, "%s", msg);
		return 0;
	}
	return 1;
}

static bool node_path(struct parse_state *st, char **dst, const char *key, const char *value)
{
	if (value[0] == '\0' || strlen(value) > LAB_PATH_MAX) {
		fail(st, "invalid %s: expected a path of 1 to %d characters", key, LAB_PATH_MAX);
		return false;
	}
	*dst = strdup(value);
	if (!*dst) {
		fail_at(st, -ENOMEM, "out of memory");
		return false;
	}
	return true;
}

/* "listen = PORT ...": TCP ports, separated by blanks or commas, each once. */
static int node_listen(struct parse_state *st, struct lab_node *node, const char *value)
{
	char v[CONF_SHOW_BUF], word[8];
	const char *p = value;

	while (*p) {
		size_t n;
		uint32_t port;

		p += strspn(p, " \t,");
		if (!*p)
			break;
		n = strcspn(p, " \t,");
		if (n >= sizeof(word) || (memcpy(word, p, n), word[n] = '\0',
					  conf_parse_uint32(word, 65535, &port) < 0) || port == 0) {
			fail(st, "invalid listen '%s': expected TCP ports from 1 to 65535",
			     conf_show(value, v));
			return 0;
		}
		for (size_t i = 0; i < node->n_listen; i++)
			if (node->listen[i] == port) {
				fail(st, "listen: port %u given twice", port);
				return 0;
			}
		if (node->n_listen >= LAB_LISTEN_MAX) {
			fail(st, "listen: more than %d ports", LAB_LISTEN_MAX);
			return 0;
		}
		node->listen[node->n_listen++] = (uint16_t)port;
		p += n;
	}
	if (node->n_listen == 0) {
		fail(st, "invalid listen '%s': expected TCP ports from 1 to 65535",
		     conf_show(value, v));
		return 0;
	}
	return 1;
}

static int node_key(struct parse_state *st, const char *name, const char *value)
{
	struct lab_node *node = &st->c->nodes[st->c->n_nodes - 1];
	struct parsed_node *pn = &st->pnodes[st->c->n_nodes - 1];
	char sec[LAB_NAME_MAX + 10], k[CONF_SHOW_BUF], v[CONF_SHOW_BUF], msg[512];
	uint32_t u;
	int i;

	snprintf(sec, sizeof(sec), "[node %s]", node->name);
	if (strncmp(name, "nic.", 4) == 0)
		return node_impair_key(st, name, value);
	for (i = 0; i < _NODE_KEY_MAX; i++)
		if (strcmp(name, node_keys[i]) == 0)
			break;
	if (i == _NODE_KEY_MAX) {
		fail(st, "unknown key '%s' in %s", conf_show(name, k), sec);
		return 0;
	}
	if (!key_once(st, &pn->key_line[i], name, sec))
		return 0;
	switch (i) {
	case NODE_KIND:
		node->kind = lab_node_kind_from_string(value);
		if (node->kind < 0) {
			fail(st, "invalid kind '%s': expected netns or qemu", conf_show(value, v));
			return 0;
		}
		return 1;
	case NODE_NICS:
		return node_nics(st, node, value);
	case NODE_LISTEN:
		return node_listen(st, node, value);
	case NODE_KERNEL:
		return node_path(st, &node->kernel, name, value);
	case NODE_INITRD:
		return node_path(st, &node->initrd, name, value);
	case NODE_DISK:
		return node_path(st, &node->disk, name, value);
	case NODE_MEMORY:
		if (lab_parse_memory(value, &node->memory_mib, msg, sizeof(msg)) < 0) {
			fail(st, "%s", msg);
			return 0;
		}
		return 1;
	default:
		if (conf_parse_uint32(value, LAB_CPUS_MAX, &u) < 0 || u == 0) {
			fail(st, "invalid cpus '%s': expected a number from 1 to %d",
			     conf_show(value, v), LAB_CPUS_MAX);
			return 0;
		}
		node->cpus = u;
		return 1;
	}
}

/* "to = NODE[:PORT]". */
static bool check_to(struct parse_state *st, struct lab_check *ch, const char *value)
{
	char v[CONF_SHOW_BUF], node[CONF_SHOW_BUF];
	const char *colon = strchr(value, ':');
	size_t n = colon ? (size_t)(colon - value) : strlen(value);
	uint32_t port = 0;

	if (n > CONF_SHOW_MAX)
		n = CONF_SHOW_MAX;
	memcpy(node, value, n);
	node[n] = '\0';
	if (!network_name_is_valid(node) ||
	    (colon && (conf_parse_uint32(colon + 1, 65535, &port) < 0 || port == 0))) {
		fail(st, "invalid to '%s': expected NODE (ping) or NODE:PORT (TCP, 1-65535)",
		     conf_show(value, v));
		return false;
	}
	strcpy(ch->to, node);
	ch->port = (uint16_t)port;
	return true;
}

static int check_key(struct parse_state *st, const char *name, const char *value)
{
	struct lab_check *ch = &st->c->checks[st->c->n_checks - 1];
	char sec[LAB_NAME_MAX + 11], k[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	int i;

	snprintf(sec, sizeof(sec), "[check %s]", ch->name);
	for (i = 0; i < _CHECK_KEY_MAX; i++)
		if (strcmp(name, check_keys[i]) == 0)
			break;
	if (i == _CHECK_KEY_MAX) {
		fail(st, "unknown key '%s' in %s (expected from, to, expect)", conf_show(name, k),
		     sec);
		return 0;
	}
	if (!key_once(st, &st->check_key_line[st->c->n_checks - 1][i], name, sec))
		return 0;
	if (i == CHECK_FROM) {
		if (!network_name_is_valid(value)) {
			fail(st, "invalid from '%s': expected a node name", conf_show(value, v));
			return 0;
		}
		strcpy(ch->from, value);
		return 1;
	}
	if (i == CHECK_TO)
		return check_to(st, ch, value);
	ch->expect = lab_expect_from_string(value);
	if (ch->expect < 0) {
		fail(st, "invalid expect '%s': expected open or closed", conf_show(value, v));
		return 0;
	}
	return 1;
}

/* "to = NODE:PORT[-LAST]": the node now, the ports checked by conf-forward's own syntax. */
static int forward_to(struct parse_state *st, struct lab_forward *f, struct parsed_forward *pf,
		      const char *value)
{
	char v[CONF_SHOW_BUF], node[CONF_SHOW_BUF], probe[32];
	const char *colon = strchr(value, ':');
	size_t n = colon ? (size_t)(colon - value) : 0;
	struct network_forward scratch;

	network_forward_init(&scratch);
	if (n > CONF_SHOW_MAX)
		n = CONF_SHOW_MAX;
	memcpy(node, value, n);
	node[n] = '\0';
	if (!colon || !network_name_is_valid(node) || strlen(colon + 1) > FWD_PORTS_MAX ||
	    (snprintf(probe, sizeof(probe), "192.0.2.1:%s", colon + 1),
	     network_forward_set(&scratch, "to", probe, NULL, 0) < 0)) {
		fail(st, "invalid to '%s': expected NODE:PORT or NODE:FIRST-LAST (ports 1-65535)",
		     conf_show(value, v));
		return 0;
	}
	strcpy(f->node, node);
	strcpy(pf->to_ports, colon + 1);
	return 1;
}

static int forward_key(struct parse_state *st, const char *name, const char *value)
{
	struct lab_forward *f = &st->c->forwards[st->c->n_forwards - 1];
	struct parsed_forward *pf = &st->pforwards[st->c->n_forwards - 1];
	char sec[FORWARD_NAME_MAX + 13], k[CONF_SHOW_BUF], v[CONF_SHOW_BUF], msg[512];
	int i;

	snprintf(sec, sizeof(sec), "[forward %s]", f->fwd.name);
	for (i = 0; i < _FWD_KEY_MAX; i++)
		if (strcmp(name, forward_keys[i]) == 0)
			break;
	if (i == _FWD_KEY_MAX) {
		fail(st, "unknown key '%s' in %s (expected network, proto, host-port, "
		     "host-address, to)", conf_show(name, k), sec);
		return 0;
	}
	if (!key_once(st, &pf->key_line[i], name, sec))
		return 0;
	if (i == FWD_NETWORK) {
		if (!network_name_is_valid(value)) {
			fail(st, "invalid network '%s': expected a network name",
			     conf_show(value, v));
			return 0;
		}
		strcpy(f->network, value);
		return 1;
	}
	if (i == FWD_TO)
		return forward_to(st, f, pf, value);
	if (network_forward_set(&f->fwd, name, value, msg, sizeof(msg)) < 0) {
		fail(st, "%s", msg);
		return 0;
	}
	return 1;
}

static int parse_handler(void *userdata, const char *section, const char *name, const char *value)
{
	struct parse_state *st = userdata;
	char k[CONF_SHOW_BUF];

	(void)section;
	if (st->err_line > 0)
		return 0;
	switch (st->section) {
	case SECTION_LAB:
		return lab_key(st, name, value);
	case SECTION_NETWORK:
		return network_key(st, name, value);
	case SECTION_NODE:
		return node_key(st, name, value);
	case SECTION_CHECK:
		return check_key(st, name, value);
	case SECTION_FORWARD:
		return forward_key(st, name, value);
	default:
		fail(st, "key '%s' before the first section", conf_show(name, k));
		return 0;
	}
}

/* What needs a whole section: required keys, qemu-only keys, impairments onto their nics. */
static int parse_sections_complete(struct parse_state *st)
{
	struct lab_config *c = st->c;

	for (size_t i = 0; i < c->n_nodes; i++) {
		struct lab_node *node = &c->nodes[i];
		struct parsed_node *pn = &st->pnodes[i];

		for (int k = FIRST_QEMU_KEY; node->kind != LAB_NODE_QEMU && k < _NODE_KEY_MAX; k++)
			if (pn->key_line[k] > 0)
				return conf_fail(st->reterr, st->errlen, "line %d: key '%s' of node "
						 "%s needs kind = qemu", pn->key_line[k],
						 node_keys[k], node->name);
		for (size_t j = 0; j < pn->n_impairs; j++) {
			struct lab_nic *nic = (struct lab_nic *)lab_node_find_nic(
				node, pn->impairs[j].network);

			if (!nic)
				return conf_fail(st->reterr, st->errlen, "line %d: node %s has no "
						 "nic on network '%s' (add it to nics)",
						 pn->impairs[j].line, node->name,
						 pn->impairs[j].network);
			nic->impair = pn->impairs[j].imp;
		}
	}
	for (size_t i = 0; i < c->n_checks; i++)
		for (int k = 0; k < _CHECK_KEY_MAX; k++)
			if (st->check_key_line[i][k] == 0)
				return conf_fail(st->reterr, st->errlen, "line %d: check %s needs "
						 "'%s ='", c->checks[i].line, c->checks[i].name,
						 check_keys[k]);
	for (size_t i = 0; i < c->n_networks; i++) {
		char msg[512];

		if (network_config_finish(&c->networks[i].config, msg, sizeof(msg)) < 0)
			return conf_fail(st->reterr, st->errlen, "line %d: network %s: %s",
					 c->networks[i].line, c->networks[i].config.name, msg);
	}
	return 0;
}

/*
 * Each forward onto its node's static address, checked against its network and against every
 * other forward of the lab (they all take the host's ports, whatever their network).
 */
static int parse_forwards_complete(struct parse_state *st)
{
	struct lab_config *c = st->c;
	char ip[INET_ADDRSTRLEN], to[48], msg[512];

	for (size_t i = 0; i < c->n_forwards; i++) {
		struct lab_forward *f = &c->forwards[i];
		const struct lab_network *net;
		const struct lab_node *node;
		const struct lab_nic *nic;

		for (int k = 0; k < _FWD_KEY_MAX; k++)
			if (k != FWD_HOST_ADDRESS && st->pforwards[i].key_line[k] == 0)
				return conf_fail(st->reterr, st->errlen, "line %d: forward %s needs "
						 "'%s ='", f->line, f->fwd.name, forward_keys[k]);
		net = lab_config_find_network(c, f->network);
		if (!net)
			return conf_fail(st->reterr, st->errlen, "line %d: forward %s: unknown "
					 "network '%s'", f->line, f->fwd.name, f->network);
		node = lab_config_find_node(c, f->node);
		if (!node)
			return conf_fail(st->reterr, st->errlen, "line %d: forward %s: unknown node "
					 "'%s'", f->line, f->fwd.name, f->node);
		nic = lab_node_find_nic(node, f->network);
		if (!nic || !nic->has_ip)
			return conf_fail(st->reterr, st->errlen, "line %d: forward %s: node %s has "
					 "no static address on network %s (give it nics = %s:ADDRESS)",
					 f->line, f->fwd.name, node->name, f->network, f->network);
		snprintf(to, sizeof(to), "%s:%s", in_addr_to_string(nic->ip, ip),
			 st->pforwards[i].to_ports);
		if (network_forward_set(&f->fwd, "to", to, msg, sizeof(msg)) < 0 ||
		    network_forward_finish(&f->fwd, &net->config, msg, sizeof(msg)) < 0)
			/* conf-forward's messages name the forward themselves */
			return conf_fail(st->reterr, st->errlen, "line %d: %s", f->line, msg);
		for (size_t j = 0; j < i; j++)
			if (network_forward_overlaps(&c->forwards[j].fwd, &f->fwd))
				return conf_fail(st->reterr, st->errlen, "line %d: forward %s claims "
						 "the same host ports as forward %s", f->line,
						 f->fwd.name, c->forwards[j].fwd.name);
	}
	return 0;
}

static int parse_text(struct parse_state *st, const char *text, size_t len, const char *name)
{
	int r;

	if (len > LAB_TEXT_MAX) {
		conf_fail(st->reterr, st->errlen, "lab file is larger than %d bytes", LAB_TEXT_MAX);
		return -E2BIG;
	}
	st->p = text ? text : "";
	st->end = st->p + len;
	ini_max_line = LAB_INIH_LINE_BUF; /* configuration, as in conf-network-ini.c */
	r = ini_parse_stream(parse_reader, st, parse_handler, st);
	if (r == -2 || st->err == -ENOMEM)
		return -ENOMEM;
	if (r > 0 && (st->err_line == 0 || r < st->err_line)) {
		st->err_line = 0;
		st->line = r;
		fail(st, "expected 'key = value', '[section]' or a comment");
	}
	if (st->err_line > 0)
		return st->err;
	if (r < 0)
		return -EIO;
	if (st->lab_name_line == 0) {
		if (name && strlen(name) <= LAB_NAME_MAX)
			strcpy(st->c->name, name);
	}
	r = parse_sections_complete(st);
	if (r < 0)
		return r;
	r = parse_forwards_complete(st);
	if (r < 0)
		return r;
	return lab_config_validate(st->c, st->reterr, st->errlen);
}

int lab_config_parse(const char *text, size_t len, const char *name, struct lab_config *ret,
		     char *reterr, size_t errlen)
{
	struct parse_state st = { .c = ret, .reterr = reterr, .errlen = errlen };
	int r;

	*ret = (struct lab_config){ 0 };
	r = parse_text(&st, text, len, name);
	free(st.net_key_line);
	free(st.pnodes);
	free(st.check_key_line);
	free(st.pforwards);
	if (r < 0)
		lab_config_done(ret);
	return r;
}
