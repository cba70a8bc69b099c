/* AArch64 system-register access and small CPU primitives. */
#ifndef FAULTLINE_ARCH_CPU_H
#define FAULTLINE_ARCH_CPU_H

#include <stdint.h>

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                                       \
		__v;                                                                               \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline void irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}
static inline void irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}
static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}
static inline void cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

static inline uint64_t counter_now(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

/* ESR_EL1 exception classes the kernel distinguishes. */
#define EC_UNKNOWN       0x00
#define EC_WFX           0x01
#define EC_FP_ASIMD      0x07
#define EC_ILLEGAL_STATE 0x0e
#define EC_SVC64         0x15
#define EC_SYSREG        0x18
#define EC_SVE           0x19
#define EC_IABT_LOW      0x20
#define EC_IABT_CUR      0x21
#define EC_PC_ALIGN      0x22
#define EC_DABT_LOW      0x24
#define EC_DABT_CUR      0x25
#define EC_SP_ALIGN      0x26
#define EC_FP_EXC64      0x2c
#define EC_SERROR        0x2f
#define EC_BREAKPT_LOW   0x30
#define EC_SOFTSTP_LOW   0x32
#define EC_WATCHPT_LOW   0x34
#define EC_BRK64         0x3c

static inline unsigned esr_class(uint64_t esr)
{
	return (unsigned)(esr >> 26) & 0x3f;
}

#endif
