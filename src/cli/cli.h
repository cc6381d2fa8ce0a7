/* cli.h: the subcommands, each a main of its own. */
#ifndef RESIDENT_CLI_H
#define RESIDENT_CLI_H

int cmd_cost(int argc, char **argv);
int cmd_snap(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* shared by snap and check (snap_main.c) */
#include <stddef.h>
char *snap_locate(const char *prog);
void snap_vet(const char *path);
struct snap_opts {
	int system;	/* saved pages in a sidecar (snap --system) */
	int as_exec;	/* not through ld.so (snap --as-exec) */
	int layouts;	/* captures, one picked at random per exec (snap --layouts); 0 means 1 */
};
size_t snap_to(const char *path, const char *out, const struct snap_opts *o);

#endif
