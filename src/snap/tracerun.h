/* tracerun.h: one traced run of a before-constructor image to main
 * (afterinit.c runs it twice and compares). */
#ifndef RESIDENT_TRACERUN_H
#define RESIDENT_TRACERUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../image/format.h"
#include "capture.h"
#include "ctorsys.h"

struct bp {
	uint64_t addr;
	unsigned char orig;
	int on;
	const char *what;	/* a watched function, or NULL */
};

struct page_copy {
	uint64_t at;
	unsigned char *bytes;	/* 4096 */
};

struct run {
	struct capture c;
	struct page_copy *pages;	/* code pages before their breakpoints */
	size_t npages;
	pid_t pid;
	int mem;
	struct bp bps[128];
	size_t nbps;
	uint64_t regs[IMG_BLOB_REGS];	/* pc, rax rbx rcx rdx rsi rdi rbp r8..r15 */
	uint64_t brk;
	int brk_seen;
	size_t syscalls;
	uint64_t rnd[IFX_RANDOM_WORDS];	/* what the constructors' getrandom calls got, each from a word's start */
	size_t nrnd;
	uint64_t rnd_buf;	/* the getrandom under way: its buffer */
	unsigned char *top;	/* [sp, stack_hi) at the hand-over: the arguments */
	uint64_t stack_lo, stack_hi;	/* the [stack] at the hand-over */
	uint64_t call_main;	/* glibc's __libc_start_call_main, where known (frame_start) */
	uint64_t fake;		/* where argv[1...] point while the constructors run: unmapped */
	uint64_t fake_env;	/* and envp[...] */
	int second;		/* run B: the auxv's IDs changed too */
	uint64_t bp_hit_by_write;	/* a breakpoint a constructor wrote over */
	char *names[64];	/* what getenv was asked for, in order, "NAME=" */
	size_t cur;		/* the one asked for now */
	size_t nnames;
	size_t top_len;
	struct ctorsys cs;	/* the constructors' syscalls beyond memory */
};

/* run the image (img, a memfd whose inode is self) with argv and envp to
 * main: r->c is then the state there, as a capture; b: the capture the
 * image was made from (its maps name addresses); 0, or -1 with why */
int run_to_main(int img, ino_t self, const struct capture *b, char *const argv[], char *const envp[],
		struct run *r, char *why, size_t n);
void run_free(struct run *r);
/* glibc's __libc_start_call_main, from the frames at main; 0: not found */
uint64_t frame_start(const struct run *r, const struct capture *b);
/* "ADDR (symbol+off in PATH)" for a message */
void where(const struct capture *b, uint64_t a, char *out, size_t n);
const struct cap_map *map_of(const struct capture *b, uint64_t a);

#endif
