/* verify.h: what makes an image sound and current, defined once.
 *
 * The loader runs these on every exec (freestanding: raw syscalls, no
 * libc); inspect, ls, check, verify and cost run the same code on the same
 * bytes, so a tool can never call "current" what the loader would refuse,
 * nor crash on what the loader would survive.  Every function takes bytes
 * that may be hostile: offsets are checked before use, without overflow.
 *
 * Each check returns 0 when all is well, else a static one-line reason
 * ("damaged image (checksum)", "a file it depends on changed"). */
#ifndef RESIDENT_IMAGE_VERIFY_H
#define RESIDENT_IMAGE_VERIFY_H

#include <stdint.h>

#include "format.h"

/* where the locator is in an image (or the bare loader) of size bytes at
 * file: the descriptor of the "resident" note that a PT_NOTE program
 * header points at; its offset, or -1 */
int64_t img_locator_offset(const unsigned char *file, uint64_t size);
/* the locator's checksum, as snap seals it */
uint64_t img_locator_sum(const struct img_locator *l);
/* magic, counts, the program's name (absolute, NUL where orig_len says)
 * and the checksum; the layouts' places are checked by the caller against
 * what it can read */
const char *img_check_locator(const struct img_locator *l);

/* header and tables of one layout: ts bytes at h, read from hdr_off of an
 * image of file_size bytes whose locator names orig */
const char *img_check_tables(const struct img_header *h, uint64_t ts, uint64_t hdr_off, uint64_t file_size,
			     const char *orig);
/* every map inside the user address space, in order, from a dependency it
 * maps or from the saved pages; fixups inside a written map (after
 * img_check_tables) */
const char *img_check_maps(const struct img_header *h);
/* how many fixups are in memory: they come first, in address order, the
 * blob's after them (checked by img_check_maps) */
uint32_t img_memory_fixups(const struct img_header *h);

/* Nothing a normal exec looks at changed.  fds: where to keep the
 * IMD_MAPPED deps open (h->nmapped of them; the loader maps from them),
 * or 0 to close each after its check.  *which: the dependency that
 * failed, if any. */
const char *img_check_deps(const struct img_header *h, int *fds, uint32_t *which);
/* one of them; an IMD_MAPPED one left open in *fd if fd is not 0 */
const char *img_check_dep(const struct img_header *h, uint32_t i, int *fd);
/* the LD_*, GLIBC_TUNABLES and MALLOC_* variables of envp are exactly the
 * capture's (LD_BIND_NOW aside: how the capture ran) */
/* what an IMG_ENV_SET entry keeps of a variable's value: 16 hex digits */
void img_env_hash(const char *value, char out[17]);
/* argv0: this run's argv[0], or NULL where there is none (the tools) */
const char *img_check_env(const struct img_header *h, char *const *envp, const char *argv0);
/* after init: each question a constructor asked the kernel, asked
 * again (img_sysop): the same answers, or why not.  Nothing is set */
const char *img_check_sysops(const struct img_header *h);
/* a file of the kernel's whose contents are the same for every process
 * (IMD_CONTENT): /proc/filesystems, /proc/sys/..., a few of /sys; no
 * "..", no "//" */
int img_kernel_file(const char *path);
/* may an ISO_ANSWER name this syscall: a question with no effect, no
 * memory written */
int img_sysop_question(uint32_t nr, uint64_t arg0, uint64_t arg1);
/* how many of its arguments such a question reads (the rest must be 0) */
int img_sysop_nargs(uint32_t nr, uint64_t arg0);
/* the kernel release, CPU (signature and AT_HWCAP/AT_HWCAP2), RLIMIT_STACK;
 * and not AT_SECURE */
const char *img_check_host(const struct img_header *h, uint64_t hwcap, uint64_t hwcap2, int secure);

/* the CPU's signature: FNV-1a of cpuid leaves 0, 1 (APIC id masked) and 7 */
uint64_t img_cpu_sig(void);

/* what a failed exec of the program is called, and its exit status, as a
 * shell says it (127 not there, 126 not runnable): the loader's fallback
 * and check's normal run say it alike */
const char *img_exec_failure(long neg_errno, int *status);

/* strlen, and "does s start with p", for the loader, which has no libc */
uint64_t img_strlen(const char *s);
int img_prefix(const char *s, const char *p);

/* is the variable one that steers ld.so (and so must match)? */
int img_steering(const char *name_eq_value);

#endif
