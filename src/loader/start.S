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
 * and finish the start after the loader's own segments are unmapped:
 * nothing of the loader stays.
 *   tramp(sp, entry, pc, unmap_start, unmap_len, exe)
 * munmap(unmap_start, unmap_len) (nothing if the length is 0); if exe (a
 * struct prctl_mm_map with exe_fd set) is not NULL, prctl(PR_SET_MM,
 * PR_SET_MM_MAP, exe, 104) so that /proc/self/exe names the program (the
 * kernel allows it only once nothing maps the image), then close(exe_fd);
 * then resume at ld.so's _dl_start_user as ld.so itself would: %rsp at
 * argc, the program's entry in %rax, nothing of the loader in the other
 * registers. */
	.section .text.tramp, "ax", @progbits
	.balign 4096
	.globl tramp_start
tramp_start:
	movq %rdi, %r12
	movq %rsi, %r13
	movq %rdx, %r14
	movq %r9, %r15
	movq %rcx, %rdi
	movq %r8, %rsi
	movl $11, %eax		/* munmap */
	syscall
	testq %r15, %r15
	jz 1f
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
1:
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
	.globl tramp_end
tramp_end:
	.balign 4096
	.section .note.GNU-stack, "", @progbits
