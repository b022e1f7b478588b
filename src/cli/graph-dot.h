/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The topology picture as Graphviz DOT text. Pure: JSON in, text out, no daemon, no Graphviz.
 * Every string from the document (names, hostnames: users and guests choose them) is written
 * only inside a quoted DOT string, escaped; node ids are generated, never taken from names.
 */
#ifndef KN_CLI_GRAPH_DOT_H
#define KN_CLI_GRAPH_DOT_H

#include <jansson.h>
#include <stdio.h>

/*
 * Writes the DOT text of 'topo' to 'out'. 'topo' is the 'graph' method's result ("networks",
 * each with "hosts"; "ports"; "leases"), optionally with "forwards" (forward.list's result).
 * Returns 0, or -EIO when writing failed.
 */
int graph_dot_render(json_t *topo, FILE *out);

/* Writes 's' escaped for the inside of a DOT quoted string (no quotes around it). */
void graph_dot_escape(FILE *out, const char *s);

#endif
