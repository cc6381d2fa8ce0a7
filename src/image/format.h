/* format.h: the resident image format, version 6.  Shared by `resident snap`
 * (writer), the loader (reader, freestanding: fixed-size integer types only)
 * and `resident inspect`.  Little-endian, x86_64 first; arch and page size
 * are fields so that aarch64 and musl can follow.
 *
 *  file offset
 *  0            +------------------------------+ -.
 *               | loader ELF (static, no libc, |  | its one PT_LOAD (R+X), which
 *               | linked at LOADER_BASE)       |  | snap stretches over the
 *               |   img_locator: magic,        |  | tables: the kernel maps them
 *               |   layouts, the program,      |  | with the loader, which reads
 *               |   their checksum             |  | them in place (no read, no
 *  hdr_off      +------------------------------+  | copy); page aligned
 *               | img_header                   |  |
 *               | img_dep[ndeps]               |  | what a normal exec looks at
 *               | img_map[nmaps]               |  | the address space, in order
 *               | img_fixup[nfixups]           |  | saved words rewritten at start
 *               | img_env[nenv]                |  | LD_*, GLIBC_TUNABLES, MALLOC_*
 *               | strings (NUL-terminated)     |  |
 *  data_off     +------------------------------+ -'  page aligned
 *               | saved pages: each written    |  mmap'd MAP_PRIVATE straight
 *               | map whole, in address order, |  from here, one mmap per run
 *               | its zero pages holes in the  |  of adjacent maps, so pages no
 *               | file; the heap's non-zero    |  instance writes stay shared
 *               | runs only                    |
 *  size         +------------------------------+
 *
 * A system image (pages_file != 0) ends at data_off: its saved pages, laid
 * out the same way from offset 0, are in a sidecar file (see below).
 *
 * An image of K layouts (snap --layouts K, locator.nlayouts = K):
 *
 *   loader | hdr+tables 0 | hdr+tables 1 | ... | pages 0 | pages 1 | ...
 *
 * each header-and-tables page aligned, all under the loader's stretched
 * segment; each header's data_off names its own saved pages (in a system
 * image: offsets in the sidecar, which holds pages 0, 1, ... the same way).
 *
 * The header and tables are covered by a checksum (img_sum over
 * [hdr_off, hdr_off + tables_size) with the checksum field taken as 0):
 * any damage sends the loader to the original program.  The locator has
 * its own (it names that program); the saved pages have one that only
 * `resident verify` reads.  src/image/verify.c is the one definition of a
 * sound and current image, for the loader and the tools alike.
 */
#ifndef RESIDENT_IMAGE_FORMAT_H
#define RESIDENT_IMAGE_FORMAT_H

#include <stdint.h>

#define IMG_MAGIC "RESIDNT1"		/* 8 bytes, no NUL */
#define IMG_VERSION 6
#define IMG_LOCATOR_MAGIC "resident-locator:v2"	/* 19 bytes + NUL = 20 */
#define IMG_PATH_MAX 4096
#define LOADER_BASE 0x100000000ull
/* in e_ident's padding (bytes 9-15, which the kernel ignores): tells a
 * running image from any program by reading 16 bytes of its exe */
#define IMG_ELF_MARK "resimg1"
#define IMG_ELF_MARK_AT 9	/* 4 GiB: above non-PIE programs, below PIE and mmap */

/* per-run layout randomisation (snap --layouts K): K captures of the
 * program, each at the addresses its own run got, in one image; the loader
 * picks one at random per exec.  Each layout is a complete header, tables
 * and saved pages; the dependencies are the same in all. */
#define IMG_LAYOUTS_MAX 16

struct img_layout_ref {
	uint64_t hdr_off, tables_size;
};

/* The locator is the descriptor of an ELF note (name "resident", type
 * IMG_NOTE_LOCATOR) in the loader's read-only segment, which its PT_NOTE
 * program header points at: snap and the tools find it by the ELF's own
 * structure (img_locator_offset), the loader by its address.  The
 * program it names is what the loader runs whenever it cannot restore, so
 * it is checksummed (sum, over the struct up to orig with sum taken as 0,
 * then orig's orig_len bytes and its NUL) and must equal the header's:
 * a damaged locator runs nothing. */
#define IMG_NOTE_NAME "resident"	/* 8 bytes + NUL, padded to 12 */
#define IMG_NOTE_LOCATOR 1
struct img_locator {
	char magic[20];
	uint32_t nlayouts;		/* 1 to IMG_LAYOUTS_MAX; 0 in the bare loader */
	uint64_t sum;
	struct img_layout_ref layout[IMG_LAYOUTS_MAX];	/* each layout's header and tables */
	uint32_t orig_len;		/* strlen(orig) */
	uint32_t pad;
	char orig[IMG_PATH_MAX];	/* the program, as named at snap: absolute, NUL-terminated */
};

enum img_map_kind {
	IMK_FILE = 1,	/* mapped from a dependency, never written: shared with normal runs */
	IMK_ZERO = 2,	/* anonymous, zero-filled; saved runs are laid over it (the heap) */
	IMK_SAVED = 3,	/* a run of saved non-zero pages laid over the IMK_ZERO before it */
	IMK_PAGES = 4,	/* a written map, mapped whole from the saved pages */
};

/* one mapping to rebuild; IMK_SAVED entries follow the IMK_ZERO they fill.
 * Adjacent maps that one mmap can make (same file or the saved pages,
 * contiguous offsets, same protection) are one entry. */
struct img_map {
	uint64_t start, end;
	uint64_t offset;	/* IMK_FILE: in the file; IMK_SAVED, IMK_PAGES: in the saved pages' file */
	uint32_t prot;		/* PROT_* as the program had it */
	uint32_t kind;
	uint32_t file;		/* IMK_FILE: index of an IMD_MAPPED dependency */
	uint32_t pad;
};

/* What the image depends on: everything a normal exec would look at to
 * decide what runs (DESIGN.md, "What an image depends on").  Each is
 * named as it was looked up (the program as the user named it, PT_INTERP
 * as written, each library as ld.so opened it, symlinks and all): the
 * loader's lookup resolves the same names, so a symlink switched to
 * another target is a different identity.  The IMD_MAPPED ones come first
 * (the loader keeps each open to map it); then the rest. */
enum img_dep_kind {
	IMD_MAPPED = 1,	/* a file the program maps: open, fstat, identity */
	IMD_FILE = 2,	/* a file ld.so read or rejected (ld.so.cache): stat, identity */
	IMD_DIR = 3,	/* a directory in which ld.so looked for names it did not find
			 * (several): stat, identity; an entry added changes its mtime */
	IMD_ABSENT = 4,	/* a path ld.so did not find (ld.so.preload): stat must fail */
	IMD_DENIED = 5,	/* a file there that ld.so could not read: access(R_OK) must fail */
	IMD_LINK = 6,	/* a symlink on the way from the program's name to its file:
			 * readlink must give the same target (the program's $ORIGIN
			 * and /proc/self/exe follow the file it leads to) */
	IMD_CONTENT = 7,	/* after init: a kernel file a constructor read (/proc/filesystems,
				 * /proc/sys/...), whose identity says nothing: read again, its
				 * size bytes must sum (img_sum) to ino */
};
#define IMD_CONTENT_MAX 16384	/* the most of such a file an image depends on */

#define IMD_F_EXEC 1u	/* the program, whose mode or ACL does not let everyone exec
			 * it: the one running the image must be allowed to
			 * (access X_OK), as a normal exec requires */

/* identity: what its owner cannot forge (ctime is set by the kernel on
 * every change, touch cannot set it back) */
struct img_dep {
	uint32_t path;		/* string offset */
	uint32_t kind;		/* IMD_* */
	uint32_t target;	/* IMD_LINK: string offset of its target */
	uint32_t flags;		/* IMD_F_* */
	uint64_t dev;		/* st_dev as makedev(major, minor) */
	uint64_t ino, size;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* what a saved word that pointed into the capture's stack points to now */
enum img_fixup_kind {
	IFX_STACK_TOP = 1,	/* the initial stack pointer (argc) + arg */
	IFX_ARGV,		/* &argv[0] + arg bytes */
	IFX_ENVP,		/* &envp[0] + arg bytes */
	IFX_AUXV,		/* &auxv[0] + arg bytes */
	IFX_AT_RANDOM,		/* AT_RANDOM bytes + arg */
	IFX_AT_PLATFORM,	/* AT_PLATFORM string + arg */
	IFX_AT_EXECFN,		/* AT_EXECFN string + arg */
	IFX_ARG_STRING,		/* argv[index] + arg */
	IFX_ENV_STRING,		/* the string of variable `name` + arg */
	IFX_CANARY,		/* fresh stack guard, from the new AT_RANDOM */
	IFX_POINTER_GUARD,	/* fresh pointer guard, from the new AT_RANDOM */
	/* after-init images (IMG_F_AFTER_INIT): what the constructors and
	 * __libc_start_main kept of the run */
	IFX_CONST,		/* arg itself (with IFX_F_MANGLED: a handler glibc mangled) */
	IFX_ARGC,		/* argc (__libc_argc, an int: with IFX_F_INT32) */
	IFX_ARG0_BASE,		/* argv[0] after its last '/' + arg (program_invocation_short_name) */
	IFX_RANDOM,		/* the index-th word of fresh random bytes (getrandom), as a
				 * constructor's getrandom got them (malloc's tcache key) */
};
#define IFX_KIND_MAX IFX_RANDOM
#define IFX_RANDOM_WORDS 8
#define IFX_KIND(k) ((k) & 0xffu)
/* flags in a fixup's kind */
#define IFX_F_BLOB 0x100u	/* addr is an offset in the hand-over blob, not an address */
#define IFX_F_MANGLED 0x200u	/* stored as glibc's PTR_MANGLE with the fresh pointer guard:
				 * rol(value ^ guard, 17) */
#define IFX_F_INT32 0x400u	/* only the low 32 bits, at addr (4-aligned): an int, or
				 * half a word that half a pointer was left in */

struct img_fixup {
	uint64_t addr;		/* where the word lives */
	int64_t arg;		/* offset from the target */
	uint32_t kind;
	uint32_t index;		/* IFX_ARG_STRING: argv index; IFX_ENV_STRING: name string */
};

/* a variable that steers ld.so: the run's set must equal the capture's */
struct img_env {
	uint32_t str;		/* "NAME=value" */
	uint32_t flags;		/* 0: a steering variable; else IMG_ENV_* */
};
/* after init: a variable a constructor asked getenv for */
#define IMG_ENV_SET 1u		/* it was set: str is "NAME=" and 16 hex digits of img_sum over
				 * the value (not the value: it may be a secret, and images
				 * are readable); this run's must hash the same */
#define IMG_ENV_UNSET 2u	/* it was not set (str is "NAME="): this run must not set it */
#define IMG_ENV_ARG0 3u		/* after init: argv[0] after its last '/' must be str (a
				 * constructor may test the name it runs by) */

struct img_header {
	char magic[8];
	uint32_t version;
	uint32_t machine;	/* EM_X86_64 */
	uint32_t page_size;
	uint32_t flags;		/* IMG_F_* */
	uint64_t checksum;
	uint64_t size;		/* of the whole image file */
	uint64_t tables_size;	/* header + tables + strings */
	uint64_t data_off;
	uint32_t ndeps, nmaps, nfixups, nenv;
	uint32_t nmapped;	/* deps[0, nmapped) are IMD_MAPPED, the rest are not */
	uint32_t pad0;
	uint64_t deps_off, maps_off, fixups_off, env_off, str_off, str_size;	/* from hdr_off */

	/* the program at the hand-over: where to resume, and with what */
	uint64_t resume;	/* ld.so's _dl_start_user */
	uint64_t entry;		/* the program's entry (rax at resume) */
	uint64_t fs_base;
	uint64_t tid_addr;	/* set_tid_address */
	uint64_t robust_head, robust_len;
	uint64_t rseq_addr;
	uint32_t rseq_len, rseq_sig;
	/* what the program's auxv said, and its address space for PR_SET_MM_MAP */
	uint64_t at_phdr, at_phent, at_phnum, at_entry, at_base, at_sysinfo_ehdr;
	uint64_t start_code, end_code, start_data, end_data, start_brk, brk;
	/* the kernel's special mappings, moved back to where they were */
	uint64_t vvar_start, vvar_end, vclock_start, vclock_end, vdso_start, vdso_end;
	/* where it may run */
	uint64_t hwcap, hwcap2;
	uint64_t cpu_sig;	/* FNV-1a of cpuid leaves 0, 1, 7 */
	uint64_t rlimit_stack;	/* soft RLIMIT_STACK at capture (ld.so sizes thread stacks from it) */
	uint32_t orig;		/* string: the program, as in the locator */
	uint32_t kernel;	/* string: uname release */
	/* 1-based indices into the deps (IMD_MAPPED ones), 0 for none */
	uint32_t pages_file;	/* the saved pages live in this sidecar, not in the image */
	uint32_t exe_file;	/* where privileged: what /proc/self/exe should name */
	/* the compact layout: the loader moves the kernel's stack so that it
	 * ends at stack_top, in the same page-table pages as the program, if
	 * it can start no lower than stack_floor; 0: leave it where it is.
	 * IMG_F_STACK_BELOW: stack_top is one page (the trampoline's) under
	 * the program's lowest map, the room to grow below it; else it is
	 * above the highest, RLIMIT_STACK and the guard gap between */
	uint64_t stack_top, stack_floor;
	/* this layout's saved pages: where they start in the file that holds
	 * them (the image, or the sidecar), how many bytes, and their img_sum
	 * as written (resident verify reads them; the loader never does) */
	uint64_t pages_off, pages_size, pages_sum;
	/* IMG_F_AFTER_INIT: the hand-over to main (snap --after-init), from
	 * hdr_off: blob_len bytes, IMG_BLOB_REGS words of registers then the
	 * frames between main's %rsp and the initial stack pointer */
	uint64_t blob_off, blob_len;
	/* snap --prefault: what a training run had mapped at its exit, from
	 * hdr_off, nprefault img_prefault entries in address order */
	uint64_t prefault_off;
	uint32_t nprefault, pad1;
	/* IMG_F_AFTER_INIT: the kernel state the constructors asked about or
	 * set, from hdr_off, nsysops img_sysop entries */
	uint64_t sysops_off;
	uint32_t nsysops, pad2;
};

/* What a constructor learnt from the kernel or told it, beyond memory.
 * The loader asks each again before it maps anything (any answer that
 * differs: the program runs normally) and, once nothing can fall back
 * any more, sets what the constructors set:
 *
 *   ISO_ANSWER     syscall nr(arg[0], arg[1], arg[2], 0, 0) must return
 *                  ret: a question with no side effect and nothing written
 *                  to memory (getuid...; libcap's prctl PR_CAPBSET_READ,
 *                  PR_GET_SECUREBITS, PR_GET_NO_NEW_PRIVS, PR_CAP_AMBIENT
 *                  IS_SET: the process's inherited capability state)
 *   ISO_SIGACTION  signal arg[0] was ignored (arg[1] & 1) or not at exec,
 *                  as exec leaves it (SIG_DFL or SIG_IGN, no flags): so
 *                  it must be now; then set[] is installed (the kernel's
 *                  struct sigaction: handler, flags, restorer, mask),
 *                  unless it was only asked about (arg[1] & ISO_F_ASKED)
 *   ISO_SIGMASK    the blocked signals were arg[0] at exec: so they must
 *                  be now; then set[0] is the mask
 */
enum img_sysop_kind { ISO_ANSWER = 1, ISO_SIGACTION = 2, ISO_SIGMASK = 3 };
#define ISO_F_ASKED 2u
struct img_sysop {
	uint32_t kind;
	uint32_t nr;		/* ISO_ANSWER: the syscall */
	uint64_t arg[3];
	int64_t ret;
	uint64_t set[4];
};
#define IMG_SYSOPS_MAX 256

/* a range the loader populates in one madvise (MADV_POPULATE_READ, or
 * _WRITE for pages the training run had copied): the page faults a start
 * would take there, each of which costs an exception, taken at once */
struct img_prefault {
	uint64_t start, len;
	uint32_t write;
	uint32_t pad;
};
#define IMG_PREFAULT_MAX 4096

/* The hand-over blob of an after-init image.  The loader copies it
 * under this run's initial stack pointer, the fixups flagged IFX_F_BLOB
 * written in, and its trampoline pops the registers and jumps:
 *
 *        initial sp -> +---------------------------+  argc, argv... (this run's)
 *                      | __libc_start_main's and   |
 *                      | __libc_start_call_main's  |  as captured: pointers into
 *                      | frames (the return from   |  the stack moved, the jmp_buf
 *                      | main, its setjmp buffer)  |  re-mangled, the canary fresh
 *       main's %rsp -> +---------------------------+
 *                      | rax ... r15 (15 words)    |  popped: main's registers
 *          blob_dst -> | main's address            |  read from the red zone
 *                      +---------------------------+
 */
#define IMG_BLOB_REGS 16	/* pc, rax rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15 */
#define IMG_BLOB_MAX 8192

#define IMG_F_HEAP 1u		/* a [heap] was captured: brk must be restored */
#define IMG_F_STACK_BELOW 2u	/* the stack goes under the program; with no [heap]
				 * captured, start_brk is the page above its highest map */
#define IMG_F_AFTER_INIT 4u	/* captured at main, after every constructor: the loader
				 * hands over to main with the blob, not to ld.so */

/* A system image (snap --system) keeps its saved pages in a sidecar file
 * (.NAME.XXXXXX.resident-pages beside it, a name of its own for each snap,
 * in the deps like any file it maps):
 * once the loader is unmapped nothing maps the image file any more, and the
 * kernel then lets a process with CAP_CHECKPOINT_RESTORE point
 * /proc/self/exe at the original program (PR_SET_MM_MAP exe_fd), which it
 * refuses while any mapping of the old exe remains. */
#define IMG_PAGES_SUFFIX ".resident-pages"

/* FNV-1a 64, bytewise: the CPU signature */
static inline uint64_t img_fnv(uint64_t h, const void *p, uint64_t n)
{
	const unsigned char *c = p;
	for (uint64_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
#define IMG_FNV_INIT 0xcbf29ce484222325ull

/* the tables' checksum: FNV-1a's step over 64-bit words (the tail
 * bytewise), eight times faster than bytewise in the loader */
static inline uint64_t img_sum(uint64_t h, const void *p, uint64_t n)
{
	const unsigned char *c = p;
	uint64_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, c + i, 8);
		h ^= w;
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#endif
