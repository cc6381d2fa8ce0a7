/* capture.h: run a program under ptrace to ld.so's hand-over (relocations
 * done, no constructor run yet) and record everything an image needs. */
#ifndef RESIDENT_CAPTURE_H
#define RESIDENT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probes.h"

struct cap_map {
	uint64_t start, end, offset;
	char perms[5];
	char *path;		/* "" for anonymous */
	unsigned dev_major, dev_minor;
	uint64_t ino;
	int written;		/* anonymous, or holds copy-on-write pages */
	int empty;		/* written, but an anonymous PROT_NONE reservation with no page in
				 * it: made again as one, nothing saved (a 16 GiB reservation) */
	unsigned char *bytes;	/* saved contents (written maps), end - start bytes, in capture.saved */
};

/* a saved word the image writer must look at: it points into the stack
 * or holds a guard's value */
struct cap_word {
	uint64_t addr;		/* where it was in the program */
	unsigned char *at;	/* where it is in capture.saved */
};

struct capture {
	pid_t pid;
	int via_ldso;		/* ran as `ld.so PROGRAM`: the program beside its libraries */
	int filtered;		/* ld.so ran under the seccomp filter: stops at watched syscalls only */
	uint64_t resume, entry, fs_base;
	uint64_t tid_addr, robust_head, robust_len, rseq_addr, rseq_len, rseq_sig;
	/* the initial stack the kernel built, as it was */
	uint64_t sp, argc, argv, envp, auxv, auxv_end, stack_lo, stack_hi;
	unsigned char *stack;	/* [stack_lo, stack_hi) */
	uint64_t at_phdr, at_phent, at_phnum, at_entry, at_base, at_sysinfo_ehdr;
	uint64_t at_random, at_platform, at_execfn, at_hwcap, at_hwcap2;
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk;
	uint64_t canary, pointer_guard;
	/* after init (afterinit.c): main's %rsp; the frames from there up to
	 * sp are the hand-over's, pointers below sp move with it; 0 before */
	uint64_t frames;
	/* via ld.so: its argv[0] string on the stack, and the program's
	 * PT_INTERP string that a saved pointer to it is redirected to */
	uint64_t ldso_str, ldso_len, interp_str;
	struct cap_map *maps;
	size_t nmaps;
	unsigned char *saved;	/* every written map's contents */
	size_t saved_size;
	struct cap_word *cands;	/* in address order */
	size_t ncands;
	/* what a normal exec looked at, found or not (probes.h) */
	struct cap_dep *deps;
	size_t ndeps;
};

/* exec prog with argv and envp and stop at the hand-over: prog is the
 * program, or (via_ldso) its PT_INTERP with argv { ld.so, PROGRAM, NULL };
 * exec_names (NULL-terminated): what a normal exec of the program looks
 * up before ld.so runs (the program as named, its PT_INTERP); 0, or -1
 * with a one-line reason in why (why_size bytes) */
int capture_run(const char *prog, char *const argv[], char *const envp[], int via_ldso,
		const char *const exec_names[], struct capture *c, char *why, size_t why_size);
void capture_free(struct capture *c);
/* the pieces, for a stage that stops the process elsewhere (afterinit.c):
 * c->pid stopped, c->sp its initial stack pointer; 0, or -1 with a reason */
int capture_read_maps(struct capture *c, char *why, size_t n);	/* smaps */
int capture_read_stat(struct capture *c, char *why, size_t n);	/* start_code... start_brk */
int capture_read_auxv(struct capture *c, char *why, size_t n);	/* /proc/PID/auxv */
int capture_read_stack(struct capture *c, int mem, char *why, size_t n);	/* argc, argv, envp, auxv */
int capture_read_written(struct capture *c, char *why, size_t n);	/* saved pages, words to look at */
int capture_read_mem(int mem, uint64_t addr, void *buf, size_t n);

/* the kernel's own mappings: [stack], [vvar], [vdso]... not saved */
int capture_special(const char *path);

#endif
