/* cli.h: the subcommands, each a main of its own. */
#ifndef RESIDENT_CLI_H
#define RESIDENT_CLI_H

int cmd_cost(int argc, char **argv);
int cmd_snap(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);
int cmd_refresh(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_rm(int argc, char **argv);

#endif
