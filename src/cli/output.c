/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of output.h. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTPUT_CELL_MAX 1024

void output_json(json_t *v)
{
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', stdout);
}

const char *output_scalar(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, size, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_object(v) && json_object_size(v) > 0) {
		/* A nested object reads as "key=value key=value" on one line. */
		const char *key;
		json_t *member;
		size_t used = 0;
		char inner[64];
		buf[0] = '\0';
		json_object_foreach(v, key, member) {
			int n = snprintf(buf + used, size - used, "%s%s=%s", used ? " " : "", key,
					 output_scalar(member, inner, sizeof(inner)));
			if (n < 0 || (size_t)n >= size - used)
				break;
			used += (size_t)n;
		}
	} else
		snprintf(buf, size, "-");
	return buf;
}

void output_table(const struct output_column *columns, size_t n_columns, json_t *rows, bool json)
{
	size_t width[16] = { 0 }, n_rows = json_array_size(rows);
	char cell[OUTPUT_CELL_MAX];

	if (json) {
		output_json(rows);
		return;
	}
	if (n_columns > 16)
		n_columns = 16;
	for (size_t c = 0; c < n_columns; c++) {
		width[c] = strlen(columns[c].header);
		for (size_t r = 0; r < n_rows; r++) {
			size_t w = strlen(output_scalar(json_object_get(json_array_get(rows, r),
									columns[c].key),
							cell, sizeof(cell)));
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t c = 0; c < n_columns; c++)
		printf("%-*s%s", c + 1 < n_columns ? (int)width[c] : 0, columns[c].header,
		       c + 1 < n_columns ? "  " : "\n");
	for (size_t r = 0; r < n_rows; r++)
		for (size_t c = 0; c < n_columns; c++)
			printf("%-*s%s", c + 1 < n_columns ? (int)width[c] : 0,
			       output_scalar(json_object_get(json_array_get(rows, r),
							     columns[c].key),
					     cell, sizeof(cell)),
			       c + 1 < n_columns ? "  " : "\n");
}

void output_object(json_t *obj, bool json)
{
	size_t width = 0;
	const char *key;
	json_t *value;
	char cell[OUTPUT_CELL_MAX];

	if (json) {
		output_json(obj);
		return;
	}
	json_object_foreach(obj, key, value)
		if (strlen(key) > width)
			width = strlen(key);
	json_object_foreach(obj, key, value)
		printf("%s:%*s %s\n", key, (int)(width - strlen(key)), "",
		       output_scalar(value, cell, sizeof(cell)));
}
