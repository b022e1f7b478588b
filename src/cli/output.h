/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CLI output: aligned tables and "key: value" listings for people, one JSON document for
 * programs (--json). Every command prints through here, so text and JSON stay in step.
 */
#ifndef KN_CLI_OUTPUT_H
#define KN_CLI_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>

/* A column of a table: its header and the JSON key whose value fills it. */
struct output_column {
	const char *header;
	const char *key;
};

/*
 * Prints the array of objects 'rows' as an aligned table of 'columns' (missing or null values
 * print as "-"), or, when 'json' is true, 'rows' itself as JSON.
 */
void output_table(const struct output_column *columns, size_t n_columns, json_t *rows, bool json);

/* Prints every member of object 'obj' as "key: value" lines (aligned), or 'obj' as JSON. */
void output_object(json_t *obj, bool json);

/* Prints 'v' as indented JSON followed by a newline. */
void output_json(json_t *v);

/* Formats a scalar JSON value into 'buf' ("-" for null/missing, yes/no for booleans). */
const char *output_scalar(json_t *v, char *buf, size_t size);

#endif
