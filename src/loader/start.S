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
 * elsewhere (from the image file, shared) and finish the start after the
 * loader's own segments are unmapped: nothing of the loader stays.
 *   tramp(sp, entry, pc, unmap_start, unmap_len)
 * munmap(unmap_start, unmap_len) (nothing if the length is 0), then resume
 * at ld.so's _dl_start_user as ld.so itself would: %rsp at argc, the
 * program's entry in %rax, nothing of the loader in the other registers. */
	.section .text.tramp, "ax", @progbits
	.balign 4096
	.globl tramp_start
tramp_start:
	movq %rdi, %r12
	movq %rsi, %r13
	movq %rdx, %r14
	movq %rcx, %rdi
	movq %r8, %rsi
	movl $11, %eax
	syscall
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
