/*
 * The kernel's virtual address map (TTBR1, 48-bit, 4 KiB granule) and the
 * constants shared by the assembly entry code and C. Changing a value here
 * changes docs/boot.md too.
 *
 *   0xffff000000000000 + pa   physmap: all RAM the DTB lists, Normal memory, XN
 *   0xffffff0000000000 + pa   device window: MMIO the kernel maps, Device-nGnRE
 *   0xffffff8000000000        the kernel image, linked here, mapped to its load address
 *
 * User space owns TTBR0: 0 .. 0x0000ffffffffffff.
 */
#ifndef FAULTLINE_ARCH_MEMLAYOUT_H
#define FAULTLINE_ARCH_MEMLAYOUT_H

#define PHYSMAP_BASE    0xffff000000000000
#define DEVMAP_BASE     0xffffff0000000000
#define KERNEL_VBASE    0xffffff8000000000
#define KERNEL_MAX_SIZE 0x2000000 /* 32 MiB: the boot tables map this much of the image */
#define USER_TOP        0x0001000000000000

#define PAGE_SHIFT  12
#define PAGE_SIZE   4096
#define KSTACK_SIZE 16384
#define MAX_CPUS    8

/* MAIR_EL1 attribute indexes. */
#define MT_NORMAL        0 /* 0xff: write-back, read/write-allocate */
#define MT_DEVICE_nGnRnE 1 /* 0x00 */
#define MT_DEVICE_nGnRE  2 /* 0x04 */
#define MT_NORMAL_NC     3 /* 0x44 */
#define MAIR_VALUE       0x000000004404ff

#endif
