/*
 * memcpy, memmove and memset for user programs. Debian's picolibc for
 * AArch64 ships only its byte-at-a-time C fallbacks (its optimised .S files
 * are empty in that build), which cost the pager about 20,000 instructions to
 * zero one page. These move 64 bytes per iteration with SIMD pairs, and
 * memset of zero uses DC ZVA (enabled for EL0 by the kernel) on whole blocks.
 * They are found before libc.a at link time, so every program uses them.
 */
	.text

/* void *memcpy(void *dst, const void *src, size_t n) */
	.global memcpy
	.type memcpy, %function
memcpy:
	mov	x3, x0
	cmp	x2, #64
	b.lo	2f
1:	ldp	q0, q1, [x1]
	ldp	q2, q3, [x1, #32]
	add	x1, x1, #64
	sub	x2, x2, #64
	stp	q0, q1, [x3]
	stp	q2, q3, [x3, #32]
	add	x3, x3, #64
	cmp	x2, #64
	b.hs	1b
2:	cmp	x2, #8
	b.lo	3f
	ldr	x4, [x1], #8
	str	x4, [x3], #8
	sub	x2, x2, #8
	b	2b
3:	cbz	x2, 4f
	ldrb	w4, [x1], #1
	strb	w4, [x3], #1
	sub	x2, x2, #1
	b	3b
4:	ret
	.size memcpy, . - memcpy

/* void *memmove(void *dst, const void *src, size_t n): forward unless dst
 * lies inside [src, src + n), then backwards a byte at a time (rare). */
	.global memmove
	.type memmove, %function
memmove:
	sub	x3, x0, x1
	cmp	x3, x2
	b.hs	memcpy		/* dst < src (wraps to huge) or dst >= src + n */
	cbz	x2, 2f
1:	sub	x2, x2, #1
	ldrb	w4, [x1, x2]
	strb	w4, [x0, x2]
	cbnz	x2, 1b
2:	ret
	.size memmove, . - memmove

/* void *memset(void *dst, int c, size_t n) */
	.global memset
	.type memset, %function
memset:
	mov	x3, x0
	and	w1, w1, #0xff
	orr	w1, w1, w1, lsl #8
	orr	w1, w1, w1, lsl #16
	orr	x1, x1, x1, lsl #32	/* the byte in all eight lanes */
	cmp	x2, #16
	b.lo	8f
	/* n >= 16: one unaligned pair covers the head, then go 16-aligned. */
	stp	x1, x1, [x3]
	and	x4, x3, #15
	mov	x5, #16
	sub	x4, x5, x4
	add	x3, x3, x4
	sub	x2, x2, x4
	/* Zero and large: DC ZVA whole blocks, if EL0 may (DZP clear). */
	cbnz	x1, 4f
	cmp	x2, #256
	b.lo	4f
	mrs	x5, dczid_el0
	tbnz	x5, #4, 4f
	and	x5, x5, #0xf
	mov	x6, #4
	lsl	x6, x6, x5		/* block size in bytes */
	sub	x7, x6, #1
1:	tst	x3, x7			/* 16-byte stores up to the block boundary */
	b.eq	2f
	stp	xzr, xzr, [x3], #16
	sub	x2, x2, #16
	b	1b
2:	cmp	x2, x6
	b.lo	4f
	dc	zva, x3
	add	x3, x3, x6
	sub	x2, x2, x6
	b	2b
4:	cmp	x2, #16			/* 16 bytes at a time */
	b.lo	5f
	stp	x1, x1, [x3], #16
	sub	x2, x2, #16
	b	4b
5:	cbz	x2, 9f			/* the last 1..15 bytes: one unaligned pair ending at the end */
	add	x3, x3, x2
	stp	x1, x1, [x3, #-16]
	ret
8:	cbz	x2, 9f			/* n < 16: bytes */
	strb	w1, [x3], #1
	sub	x2, x2, #1
	b	8b
9:	ret
	.size memset, . - memset
