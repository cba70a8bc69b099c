/*
 * Stack growth for bench_vm (see vm_stack_grow in bench_vm.h): C cannot move
 * its own stack pointer page by page and store exactly at it. Every store is
 * at sp itself, never below it, as the pager's stack rule requires.
 */
	.text
	.global vm_stack_grow
	.type vm_stack_grow, %function
/* x0 skip pages, x1 pages, x2 samples (or 0) -> x0 counter delta of the loop */
vm_stack_grow:
	mov	x9, sp
	lsl	x0, x0, #12
	sub	sp, sp, x0
	isb
	mrs	x11, cntvct_el0
1:	sub	sp, sp, #4096
	cbz	x2, 2f
	isb
	mrs	x12, cntvct_el0
	str	xzr, [sp]
	isb
	mrs	x13, cntvct_el0
	sub	x13, x13, x12
	str	x13, [x2], #8
	b	3f
2:	str	xzr, [sp]
3:	subs	x1, x1, #1
	b.ne	1b
	isb
	mrs	x12, cntvct_el0
	sub	x0, x12, x11
	mov	sp, x9
	ret
	.size vm_stack_grow, . - vm_stack_grow
