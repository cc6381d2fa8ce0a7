/* pcost.h: what one process costs, as read from /proc, and how it is read. */
#ifndef RESIDENT_PCOST_H
#define RESIDENT_PCOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <regex.h>

#include "../proc/smaps.h"
#include "kernel.h"
#include "role.h"

struct memsum {
	uint64_t kb[SM_NFIELDS];
	/* kB this instance alone holds and every instance needs a copy of:
	 * private pages of anonymous mappings, and of file mappings only the
	 * copy-on-write copies (Anonymous:); a file page dirty in the page
	 * cache and mapped by one process shows as Private_Dirty but is the
	 * file's, not the instance's */
	uint64_t own;
	uint64_t maps;
};

/* own kB of one mapping (or of a rollup, where it is an approximation) */
uint64_t vma_own_kb(const struct vma *v);

/* one shared library's share of a process (with --libs) */
struct libuse {
	char *path;
	struct memsum m;
};

enum pstate {
	PS_OK,		/* read in full */
	PS_GONE,	/* exited while being read, or never existed */
	PS_DENIED,	/* smaps not readable by us: status figures only */
	PS_MALFORMED,	/* text the kernel does not write: skipped with a warning */
	PS_KTHREAD,	/* kernel thread: no user memory */
	PS_ZOMBIE,	/* exited, not yet reaped: no address space */
	PS_FILTERED,	/* not selected */
};

struct pcost {
	pid_t pid;
	uid_t uid;
	enum pstate state;
	const char *why;	/* for PS_DENIED / PS_MALFORMED */
	char name[64];		/* comm */
	char *exe;		/* executable path, or "[name]" if unreadable */
	struct memsum total, role[ROLE_N];
	struct kcounts kc;
	int have_status;	/* status was read: the kernel side can be estimated */
	int unwalked;		/* over --walk-limit: figures from status only */
	struct kside ks;
	uint64_t vmrss_kb, vmswap_kb;	/* from status: shown when smaps is unreadable */
	struct libuse *libs;
	size_t nlibs;
};

/* which processes to read; a NULL member selects all */
struct selector {
	const char *const *programs;	/* -p NAME: exe basename, exe path, or comm */
	size_t nprograms;
	const uid_t *uids;		/* -u USER */
	size_t nuids;
	const regex_t *match;		/* -e REGEX: exe path or comm matches one */
	size_t nmatch;
	const regex_t *exclude;		/* --exclude REGEX: neither may match */
	size_t nexclude;
};

struct collect_opts {
	int proc_root;
	int want_libs;
	int totals;			/* smaps_rollup + maps: no roles, faster */
	uint64_t walk_limit_kb;		/* a process with more RSS is not walked (0: all are) */
	int rollup_only;		/* with totals: not even maps (--fast: the mapping
					 * counts come from the sampled instances) */
	int threads;			/* readers in parallel */
	const struct selector *sel;
	const struct kmodel *km;
};

/* read every pid into out[i] (already allocated, n entries) */
void collect(const struct collect_opts *o, const pid_t *pids, size_t n, struct pcost *out);
void pcost_free(struct pcost *p, size_t n);

int selector_match(const struct selector *s, const char *exe, const char *comm, uid_t uid);

#endif
