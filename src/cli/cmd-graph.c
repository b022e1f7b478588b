/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'graph [--format dot|svg] [--output FILE]': the daemon's topology (one 'graph' request, one
 * snapshot; forwards from 'forward.list' when the daemon has it) drawn as DOT by graph-dot.c,
 * or as SVG through Graphviz's 'dot -Tsvg'. To stdout, or atomically to FILE (a temporary file
 * in the same directory, renamed over it once complete).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/graph-dot.h"
#include "cli/output.h"

extern char **environ;

/* Whether an executable 'name' is on $PATH. */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t len = strcspn(p, ":");
		if (len > 0 && snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, name) <
				       (int)sizeof(buf) && access(buf, X_OK) == 0)
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

/* Writes 'len' bytes of 'text' to 'fd'; -errno on failure. */
static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Runs 'dot -Tsvg' with 'text' on its input and 'fd' as its output. */
static int run_dot(struct cli *cli, const char *text, size_t len, int fd)
{
	char *argv[] = { (char *)"dot", (char *)"-Tsvg", NULL };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return cli_fail(cli, "cannot make a pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[0], 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	r = posix_spawnp(&pid, "dot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[0]);
	if (r != 0) {
		close(pipefd[1]);
		return cli_fail(cli, "cannot run 'dot' (Graphviz): %s", strerror(r));
	}
	r = write_all(pipefd[1], text, len);
	close(pipefd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cli_fail(cli, "waiting for 'dot': %s", strerror(errno));
	if (r < 0)
		return cli_fail(cli, "cannot feed 'dot': %s", strerror(-r));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_fail(cli, "'dot -Tsvg' failed (status %d)", WIFEXITED(status) ?
				WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

/* Writes the picture ('text', DOT) as 'svg' or DOT to 'fd'. */
static int emit(struct cli *cli, bool svg, const char *text, size_t len, int fd)
{
	int r;

	if (svg)
		return run_dot(cli, text, len, fd);
	r = write_all(fd, text, len);
	return r < 0 ? cli_fail(cli, "cannot write: %s", strerror(-r)) : 0;
}

static int emit_to_file(struct cli *cli, bool svg, const char *text, size_t len,
			const char *path)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	mode_t mask = umask(0);
	int fd, r;

	umask(mask);
	snprintf(dir, sizeof(dir), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(dir),
		     strrchr(path, '/') ? strrchr(path, '/') + 1 : path) >= (int)sizeof(tmp))
		return cli_fail(cli, "output path '%s' is too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
	r = emit(cli, svg, text, len, fd);
	if (r == 0 && (fchmod(fd, 0666 & ~mask) < 0 || fsync(fd) < 0))
		r = cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
	if (close(fd) < 0 && r == 0)
		r = cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
	if (r == 0 && rename(tmp, path) < 0)
		r = cli_fail(cli, "cannot write '%s': %s", path, strerror(errno));
	if (r != 0)
		unlink(tmp);
	return r;
}

int cmd_graph(struct cli *cli, int argc, char **argv)
{
	const char *format = "dot", *output = NULL;
	json_t *topo = NULL, *fwd = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	for (int i = 0; i < argc; i++) {
		const char **slot = strcmp(argv[i], "--format") == 0 ? &format :
				    strcmp(argv[i], "--output") == 0 ? &output : NULL;
		if (!slot)
			return cli_usage_error("usage: graph [--format dot|svg] [--output FILE]");
		if (i + 1 >= argc)
			return cli_usage_error("option '%s' needs a value", argv[i]);
		*slot = argv[++i];
	}
	if (strcmp(format, "dot") != 0 && strcmp(format, "svg") != 0)
		return cli_usage_error("unknown graph format '%s' (dot or svg)", format);
	if (output && !output[0])
		return cli_usage_error("option '--output' needs a file name");
	if (strcmp(format, "svg") == 0 && !on_path("dot"))
		return cli_fail(cli, "'dot' not found: --format svg needs Graphviz "
				"(apt-get install graphviz)");

	r = cli_call(cli, "graph", NULL, &topo);
	if (r != 0)
		return r;
	r = cli_call_optional(cli, "forward.list", NULL, &fwd);
	if (r != 0) {
		json_decref(topo);
		return r;
	}
	if (fwd)
		json_object_set_new(topo, "forwards", fwd);

	if (cli->json) {   /* the document itself, for programs */
		output_json(topo);
		json_decref(topo);
		return CLI_EXIT_OK;
	}
	f = open_memstream(&text, &len);
	r = f ? graph_dot_render(topo, f) : -ENOMEM;
	if (f && fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	json_decref(topo);
	if (r < 0) {
		free(text);
		return cli_fail(cli, "cannot draw the graph: %s", strerror(-r));
	}
	if (output)
		r = emit_to_file(cli, strcmp(format, "svg") == 0, text, len, output);
	else {
		fflush(stdout);
		r = emit(cli, strcmp(format, "svg") == 0, text, len, STDOUT_FILENO);
	}
	free(text);
	return r;
}
