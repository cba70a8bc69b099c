/*
 * BootInfo: what the kernel tells the root task. The root task starts with
 * x0 = the user address of this structure (one or more read-only pages),
 * sp = the top of its stack, and its IPC buffer mapped and registered.
 *
 * Root CNode layout: a single CNode whose cptrs are plain slot indexes
 * (radix bootinfo.cnode_radix, guard making up 64 bits). Slot 0 is always
 * empty. Fixed slots are FL_CAP_*; ranges are given as [first, first + count).
 */
#ifndef FAULTLINE_BOOTINFO_H
#define FAULTLINE_BOOTINFO_H

#include <stdint.h>

#define FL_BOOTINFO_MAGIC 0x4642494e464f3031ULL /* "FBINFO01" */

enum fl_root_cap {
	FL_CAP_NULL = 0,
	FL_CAP_ROOT_CNODE = 1,
	FL_CAP_ROOT_VSPACE = 2,
	FL_CAP_ROOT_TCB = 3,
	FL_CAP_IRQ_CONTROL = 4,
	FL_CAP_IPC_BUFFER = 5, /* the root thread's IPC buffer frame */
	FL_CAP_TRACE = 6,      /* control of the IPC log (empty until the log exists) */
	FL_CAP_FIRST_FREE_FIXED = 16,
};

#define FL_BOOTINFO_MAX_UNTYPED 256
#define FL_BOOTINFO_MAX_FILES   64

struct fl_untyped_desc {
	uint64_t paddr;
	uint8_t size_bits;
	uint8_t is_device;
	uint8_t pad[6];
};

/* One file of the boot archive, as the root task sees it (read-only mapping). */
struct fl_boot_file {
	char name[48];
	uint64_t vaddr; /* where its bytes start in the root task's address space */
	uint64_t size;
};

struct fl_bootinfo {
	uint64_t magic;
	uint64_t size; /* bytes of this structure */
	uint64_t ncpus;
	uint64_t cnode_radix;
	uint64_t ipc_buffer;                   /* user address of the root thread's IPC buffer */
	uint64_t empty_first, empty_count;     /* free slots in the root CNode */
	uint64_t untyped_first, untyped_count; /* slots of untyped caps (see untyped[]) */
	uint64_t image_frames_first, image_frames_count; /* the root task's own ELF frames */
	uint64_t stack_frames_first, stack_frames_count;
	uint64_t archive_frames_first, archive_frames_count; /* read-only frames of the archive */
	uint64_t archive_vaddr, archive_size;                /* the archive, mapped read-only */
	uint64_t dtb_vaddr, dtb_size;                        /* the DTB, mapped read-only */
	uint64_t heap_vaddr; /* first free page-aligned address above the image */
	uint64_t stack_top;
	uint64_t timer_frequency; /* generic counter Hz */
	uint64_t root_thread_id;
	uint64_t trace_frames_first, trace_frames_count; /* read-only frames of the IPC log rings */
	uint64_t trace_vaddr; /* the rings (struct fl_ipclog_ring[ncpus]), mapped read-only */
	uint64_t console_irq; /* INTID of the kernel's console UART (not available to drivers), 0 if
	                         none */
	uint64_t nfiles;
	struct fl_boot_file files[FL_BOOTINFO_MAX_FILES];
	struct fl_untyped_desc untyped[FL_BOOTINFO_MAX_UNTYPED];
	char bootargs[512];
};

/* Fixed virtual addresses in the root task's space. */
#define FL_ROOT_BOOTINFO_VADDR   0x0000000010000000ULL
#define FL_ROOT_IPC_BUFFER_VADDR 0x0000000010100000ULL
#define FL_ROOT_STACK_TOP        0x0000000020000000ULL
#define FL_ROOT_STACK_PAGES      64
#define FL_ROOT_ARCHIVE_VADDR    0x0000000040000000ULL
#define FL_ROOT_DTB_VADDR        0x0000000030000000ULL
#define FL_ROOT_TRACE_VADDR      0x0000000031000000ULL

#endif
