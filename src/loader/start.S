/* start.S: the image's entry.  The kernel leaves the initial stack pointer
 * at argc; loader_main takes it, and never returns: it either jumps into
 * the restored program or execs the original one. */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	movq %rsp, %rdi
	andq $-16, %rsp
	call loader_main
	hlt

/* resume(sp, entry, pc): hand over to ld.so's _dl_start_user as ld.so
 * itself would: %rsp at argc, the program's entry in %rax, and nothing of
 * the loader left in the other registers */
	.globl resume
	.type resume, @function
resume:
	movq %rdi, %rsp
	movq %rsi, %rax
	movq %rdx, %r11
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
	.section .note.GNU-stack, "", @progbits
