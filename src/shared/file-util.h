/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crash-safe whole-file operations for definitions and state: atomic replacement (temp file,
 * fsync, rename, fsync of the directory), bounded reads and durable removal. Built on fd-util;
 * used by the daemon's state directory and the lease store. Every function here blocks on disk.
 */
#ifndef KN_SHARED_FILE_UTIL_H
#define KN_SHARED_FILE_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replaces 'path' with the 'len' bytes of 'data', atomically: readers and a crash at any instant
 * see either the old file or the complete new one. The data goes to a temporary file
 * ".BASENAME.XXXXXX" in the same directory (created O_EXCL|O_CLOEXEC, then set to exactly 'mode',
 * ignoring the umask), which is fsync'd, renamed over 'path', and then the directory is fsync'd.
 * On failure the temporary file is removed and -errno returned; -EINVAL if 'path' is empty or
 * ends in '/'. If only the final directory fsync fails, 'path' already holds the new data but the
 * rename may not survive a crash, and the error is still returned. A crash can leave a
 * ".BASENAME.XXXXXX" file behind: directory scanners should skip names starting with '.'.
 */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode);

/*
 * Reads the whole file 'path' into a malloc'd buffer stored in '*ret' (caller frees), with a NUL
 * appended after the data; '*ret_len' (if 'ret_len' is not NULL) gets the length without the NUL.
 * The file may itself contain NUL bytes. Returns 0, -E2BIG if it holds more than 'max' bytes,
 * -EISDIR for a directory, -ENOMEM, or the -errno of open()/read().
 */
int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/*
 * Unlinks 'path' and fsyncs its directory so that the removal survives a crash. Returns 0 or
 * -errno (-ENOENT if 'path' does not exist).
 */
int unlink_and_sync(const char *path);

/*
 * Fsyncs the directory containing 'path' ("." for a bare name), making a preceding create,
 * rename or unlink of 'path' durable. Returns 0 or -errno; -EINVAL for an empty 'path' or one
 * ending in '/'.
 */
int fsync_parent_directory(const char *path);

#endif
