/* Assembler helpers shared by the kernel's .S files. */
#ifndef FAULTLINE_ARCH_ASM_H
#define FAULTLINE_ARCH_ASM_H

/* PC-relative address of sym (+/- 4 GiB): valid with the MMU off or on. */
/* GNU assembler, not C: */
/* clang-format off */
.macro adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm
/* clang-format on */

#endif
