/*
 * Instructions the fault tests need at known addresses: in each helper the
 * instruction that may fault is the first one, so the fault message's IP
 * must equal the function's address.
 */
	.text

/* kt_asm_store(p, v): *p = v (faults on a read-only or missing page). */
	.global kt_asm_store
	.type kt_asm_store, %function
kt_asm_store:
	str	x1, [x0]
	ret
	.size kt_asm_store, . - kt_asm_store

/* kt_asm_load(p): return *p (faults on a missing page). */
	.global kt_asm_load
	.type kt_asm_load, %function
kt_asm_load:
	ldr	x0, [x0]
	ret
	.size kt_asm_load, . - kt_asm_load

/* kt_asm_svc(number, x0): a syscall with x8 = number; returns the kernel's x0. */
	.global kt_asm_svc
	.type kt_asm_svc, %function
kt_asm_svc:
	mov	x8, x0
	mov	x0, x1
	svc	#0
	ret
	.size kt_asm_svc, . - kt_asm_svc

/* kt_asm_udf(): a permanently undefined instruction. */
	.global kt_asm_udf
	.type kt_asm_udf, %function
kt_asm_udf:
	udf	#0
	ret
	.size kt_asm_udf, . - kt_asm_udf

/* kt_asm_jump(target): branch to target (an instruction fetch there). */
	.global kt_asm_jump
	.type kt_asm_jump, %function
kt_asm_jump:
	br	x0
	.size kt_asm_jump, . - kt_asm_jump

/* The encoding of `ret`, for code the tests write into data pages. */
	.section .rodata
	.global kt_asm_ret_insn
	.balign 4
kt_asm_ret_insn:
	ret
	.size kt_asm_ret_insn, 4
