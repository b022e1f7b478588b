/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lab records under STATE_DIR/labs (see lab-node.h): NAME.lab, the file as given to 'lab
 * up', and NAME.state, the JSON record of what the lab made. Both are replaced atomically.
 */
#ifndef KN_DAEMON_LAB_LAB_STATE_H
#define KN_DAEMON_LAB_LAB_STATE_H

#include <jansson.h>
#include <stddef.h>

struct state_dir;

/* Writes labs/NAME.lab ('len' bytes of 'text'), creating labs/ (0700) if missing. */
int lab_state_save_text(struct state_dir *d, const char *name, const char *text, size_t len);
/* Writes labs/NAME.state: 'record' as JSON. */
int lab_state_save_record(struct state_dir *d, const char *name, const json_t *record);
/* Removes labs/NAME.state and labs/NAME.lab (what exists of them). */
int lab_state_remove(struct state_dir *d, const char *name);

typedef int (*lab_state_fn)(const char *name, const char *text, size_t len, json_t *record,
			    void *data);
/*
 * Calls 'cb' for every labs/NAME.state (in directory order) with the text of NAME.lab and the
 * record (borrowed). Unreadable or malformed pairs are logged and skipped.
 */
int lab_state_load(struct state_dir *d, lab_state_fn cb, void *data);

#endif
