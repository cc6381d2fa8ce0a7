/* start.S: the image's entry.  The kernel leaves the initial stack pointer
 * at argc; loader_main takes it, and never returns: it either hands over to
 * the restored program through tramp_start or execs the original one. */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	movq %rsp, %rdi
	andq $-16, %rsp
	call loader_main
	hlt

/* The hand-over, on a page of its own, so that it can be mapped again
 * elsewhere (from the image file, shared; or copied to an anonymous page)
 * and finish the start after the loader's own segment is unmapped:
 * nothing of the loader stays.
 *   tramp(const struct hand *h)   (loader.c; offsets below)
 *     0 sp  8 entry  16 pc  24 unmap_start  32 unmap_len
 *     40 stk_old  48 stk_len  56 stk_new  64 exe  72 blob_src  80 blob_dst
 * 1. munmap(unmap_start, unmap_len), unless the length is 0;
 * 2. mremap the stack from stk_old to stk_new (stk_len bytes), unless 0:
 *    h itself lives on that stack, so everything is read before; the
 *    place was reserved by the loader, a failure can only be ENOMEM and
 *    then the process exits 127 rather than run with pointers to nowhere;
 * 3. if exe (a struct prctl_mm_map with exe_fd set, at its address after
 *    the move), prctl(PR_SET_MM, PR_SET_MM_MAP, exe, 104) so that
 *    /proc/self/exe names the program (the kernel allows it only once
 *    nothing maps the image), then close(exe_fd);
 * 4. resume at ld.so's _dl_start_user as ld.so itself would: %rsp at
 *    argc, the program's entry in %rax, nothing of the loader in the
 *    other registers;
 * 4'. or, after init (blob_src not 0): copy the blob to blob_dst, up to
 *    the initial stack pointer (memmove: the loader's frames it comes
 *    from may overlap), pop main's registers from it and jump to main,
 *    whose address the red zone keeps (format.h's diagram). */
	.section .text.tramp, "ax", @progbits
	.balign 4096
	.globl tramp_start
tramp_start:
	movq %rdi, %rbx
	movq 0(%rbx), %r12
	movq 8(%rbx), %r13
	movq 16(%rbx), %r14
	movq 64(%rbx), %r15
	movq 72(%rbx), %rbp
	movq 80(%rbx), %r9
	movq 24(%rbx), %rdi
	movq 32(%rbx), %rsi
	testq %rsi, %rsi
	jz 1f
	movl $11, %eax		/* munmap */
	syscall
1:
	movq 48(%rbx), %rsi
	testq %rsi, %rsi
	jz 2f
	movq 40(%rbx), %rdi
	movq %rsi, %rdx
	movl $3, %r10d		/* MREMAP_MAYMOVE | MREMAP_FIXED */
	movq 56(%rbx), %r8
	movl $25, %eax		/* mremap; %rbx is stale from here */
	syscall
	cmpq %r8, %rax
	je 2f
	movl $127, %edi
	movl $231, %eax		/* exit_group */
	syscall
2:
	testq %r15, %r15
	jz 3f
	movl $157, %eax		/* prctl(PR_SET_MM, PR_SET_MM_MAP, exe, sizeof *exe, 0) */
	movl $35, %edi
	movl $14, %esi
	movq %r15, %rdx
	movl $104, %r10d
	xorl %r8d, %r8d
	syscall
	movl 100(%r15), %edi	/* exe->exe_fd */
	movl $3, %eax		/* close */
	syscall
3:
	testq %rbp, %rbp
	jnz 5f
	movq %r12, %rsp
	movq %r13, %rax
	movq %r14, %r11
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	jmp *%r11
5:
	movq %rbp, %rsi
	movq %r9, %rdi
	movq %r12, %rcx
	subq %r9, %rcx
	cmpq %rsi, %rdi
	jbe 6f
	leaq -1(%rsi,%rcx), %rsi	/* to a higher place: from the top down */
	leaq -1(%rdi,%rcx), %rdi
	std
	rep movsb
	cld
	jmp 7f
6:
	rep movsb
7:
	leaq 8(%r9), %rsp
	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	jmp *-128(%rsp)
	.globl tramp_end
tramp_end:
	.balign 4096
	.section .note.GNU-stack, "", @progbits
