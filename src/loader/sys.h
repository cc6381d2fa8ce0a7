/* sys.h: raw x86_64 system calls for the freestanding loader.  Like musl's
 * internal __syscall: the result, or -errno; errno is never touched (there
 * is none). */
#ifndef RESIDENT_LOADER_SYS_H
#define RESIDENT_LOADER_SYS_H

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;

static inline i64 sys6(i64 n, i64 a, i64 b, i64 c, i64 d, i64 e, i64 f)
{
	i64 ret;
	register i64 r10 __asm__("r10") = d;
	register i64 r8 __asm__("r8") = e;
	register i64 r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (i64)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (i64)(a), (i64)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (i64)(a), (i64)(b), (i64)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (i64)(a), (i64)(b), (i64)(c), (i64)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (i64)(a), (i64)(b), (i64)(c), (i64)(d), (i64)(e), 0)

enum {
	NR_read = 0, NR_write = 1, NR_open = 2, NR_close = 3, NR_fstat = 5, NR_mmap = 9,
	NR_mprotect = 10, NR_munmap = 11, NR_pread64 = 17, NR_mremap = 25, NR_execve = 59,
	NR_exit = 60, NR_capget = 125, NR_uname = 63, NR_prctl = 157, NR_arch_prctl = 158, NR_set_tid_address = 218,
	NR_exit_group = 231, NR_newfstatat = 262, NR_set_robust_list = 273, NR_prlimit64 = 302,
	NR_rseq = 334, NR_madvise = 28, NR_close_range = 436, NR_getrandom = 318, NR_access = 21, NR_faccessat2 = 439, NR_readlink = 89,
	NR_rt_sigaction = 13, NR_rt_sigprocmask = 14, NR_getuid = 102, NR_getgid = 104, NR_geteuid = 107,
	NR_getegid = 108, NR_fstatfs = 138,
};

#define O_RDONLY 0
#define O_CLOEXEC 02000000
#define O_NONBLOCK 04000
#define O_NOFOLLOW 0400000
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#define MADV_NORMAL 0
#define ARCH_SET_FS 0x1002
#define PR_SET_MM 35
#define PR_SET_MM_MAP 14
#define RLIMIT_STACK 3
#define EEXIST 17
#define ENOENT 2
#define EACCES 13
#define ENOTDIR 20
#define AT_FDCWD (-100)
#define R_OK 4
#define X_OK 1
#define AT_EACCESS 0x200	/* faccessat2: as the effective ids, as ld.so opens */

/* struct stat of x86_64 */
struct kstat {
	u64 st_dev, st_ino, st_nlink;
	unsigned st_mode, st_uid, st_gid, pad0;
	u64 st_rdev;
	i64 st_size, st_blksize, st_blocks;
	u64 st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
	i64 unused[3];
};

struct prctl_mm_map {
	u64 start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
	u64 arg_start, arg_end, env_start, env_end;
	u64 *auxv;
	unsigned auxv_size, exe_fd;
};

/* capget, version 3: two sets of 32 bits each */
struct cap_header {
	u32 version;
	int pid;
};
struct cap_data {
	u32 effective, permitted, inheritable;
};
#define CAP_VERSION_3 0x20080522
#define CAP_SYS_ADMIN 21
#define CAP_CHECKPOINT_RESTORE 40

#endif
