/*
 * Process entry. The kernel (root task) or the pager (every other process)
 * starts the first thread here with sp at the top of its stack and x0 = one
 * startup argument (the root task: BootInfo; others: their process info page).
 */
	.text
	.global _start
	.type _start, %function
_start:
	mov	x29, #0
	mov	x30, #0
	bl	__fl_start
1:	b	1b
	.size _start, . - _start

/*
 * A forked child's first instruction: sp points at the address of the
 * parent's jmp_buf (in the child's copy of the stack); longjmp there.
 */
	.global fl_fork_child_trampoline
	.type fl_fork_child_trampoline, %function
fl_fork_child_trampoline:
	ldr	x0, [sp]
	bl	fl_fork_child_resume
2:	b	2b
	.size fl_fork_child_trampoline, . - fl_fork_child_trampoline
