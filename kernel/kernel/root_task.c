/*
 * Creating the root task: the one user thread the kernel makes itself. It
 * gets a CNode, a VSpace, a TCB, its ELF image (from the boot archive), a
 * stack, an IPC buffer, BootInfo, read-only views of the archive and the
 * DTB, and an Untyped cap for every byte of RAM nobody else uses. After this
 * the kernel allocates nothing: all further objects come from those untypeds.
 *
 * Boot CPU only, before the secondaries start; big lock not needed yet.
 */
#include "arch/mmu.h"
#include "arch/timer.h"
#include "faultline/bootinfo.h"
#include "kernel/archive.h"
#include "kernel/boot.h"
#include "kernel/ipc.h"
#include "kernel/ipclog.h"
#include "kernel/lib.h"
#include "kernel/object.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/smp.h"

#define MAX_FREE 64

struct range {
	uint64_t base, end;
};

static struct range free_ranges[MAX_FREE];
static unsigned nfree;
static struct cte *root_cnode;
static unsigned root_radix;
static unsigned next_slot = FL_CAP_FIRST_FREE_FIXED;
static struct cap root_vspace_cap;

void vspace_init_asids(void);
void vspace_boot_map(struct cap *vs, struct cap *f, uint64_t va, uint64_t rights,
                     uint64_t (*alloc_table)(void));

/* Remove [b, e) from the free ranges. */
static void carve(uint64_t b, uint64_t e)
{
	for (unsigned i = 0; i < nfree; i++) {
		struct range *r = &free_ranges[i];
		if (e <= r->base || b >= r->end)
			continue;
		if (b > r->base && e < r->end) { /* split */
			if (nfree == MAX_FREE)
				panic("boot: too many memory holes");
			free_ranges[nfree++] = (struct range){e, r->end};
			r->end = b;
		} else if (b <= r->base && e >= r->end) {
			r->base = r->end = 0;
		} else if (b <= r->base) {
			r->base = e;
		} else {
			r->end = b;
		}
	}
}

static void init_free_memory(void)
{
	extern char _kernel_start[], _kernel_end[];
	extern uint64_t kernel_phys_offset;

	for (unsigned i = 0; i < platform.nmem && nfree < MAX_FREE; i++) {
		uint64_t b = ALIGN_UP(platform.mem[i].base, PAGE_SIZE);
		uint64_t e = ALIGN_DOWN(platform.mem[i].base + platform.mem[i].size, PAGE_SIZE);
		if (e > b)
			free_ranges[nfree++] = (struct range){b, e};
	}
	carve(ALIGN_DOWN((uint64_t)_kernel_start + kernel_phys_offset, PAGE_SIZE),
	      ALIGN_UP((uint64_t)_kernel_end + kernel_phys_offset, PAGE_SIZE));
	carve(ALIGN_DOWN(dtb_phys, PAGE_SIZE), ALIGN_UP(dtb_phys + dtb_size, PAGE_SIZE));
	for (unsigned i = 0; i < platform.nreserved; i++)
		carve(ALIGN_DOWN(platform.reserved[i].base, PAGE_SIZE),
		      ALIGN_UP(platform.reserved[i].base + platform.reserved[i].size, PAGE_SIZE));
	if (platform.initrd_end > platform.initrd_start)
		carve(ALIGN_DOWN(platform.initrd_start, PAGE_SIZE),
		      ALIGN_UP(platform.initrd_end, PAGE_SIZE));
}

/* A zeroed block of physical memory for the root task's objects, aligned to
 * its size when that is a power of two (objects must be), else to a page. */
static uint64_t boot_alloc(uint64_t size)
{
	uint64_t align = (size & (size - 1)) ? PAGE_SIZE : size;

	for (unsigned i = 0; i < nfree; i++) {
		uint64_t b = ALIGN_UP(free_ranges[i].base, align);
		if (b + size <= free_ranges[i].end && b >= free_ranges[i].base) {
			carve(b, b + size);
			memset(phys_to_virt(b), 0, size);
			return b;
		}
	}
	panic("boot: out of memory creating the root task (%lu bytes)", (unsigned long)size);
}

static uint64_t boot_alloc_table(void)
{
	return boot_alloc(PAGE_SIZE);
}

static struct cte *slot_at(unsigned i)
{
	return &root_cnode[i];
}

static unsigned take_slot(void)
{
	if (next_slot >= (1u << root_radix))
		panic("boot: root CNode too small (radix %u)", root_radix);
	return next_slot++;
}

/* Put a root cap (no MDB parent) into slot i. */
static void put_cap(unsigned i, const struct cap *c)
{
	cte_insert_child(NULL, slot_at(i), c);
}

/* A frame cap in slot s for page pa, mapped at va in the root task. */
static void *root_frame_at(unsigned s, uint64_t pa, uint64_t va, uint64_t rights)
{
	struct cap f = {.type = FL_OBJ_FRAME, .rights = FL_RIGHTS_ALL, .obj = pa};

	put_cap(s, &f);
	vspace_boot_map(&root_vspace_cap, &slot_at(s)->cap, va, rights, boot_alloc_table);
	return phys_to_virt(pa);
}

/* A new zeroed frame for the root task mapped at va; returns its kernel address. */
static void *root_frame(uint64_t va, uint64_t rights)
{
	return root_frame_at(take_slot(), boot_alloc(PAGE_SIZE), va, rights);
}

/* Map existing read-only memory (archive, DTB) into the root task, one cap per page. */
static unsigned map_readonly(uint64_t pa, uint64_t size, uint64_t va, unsigned *count)
{
	unsigned first = next_slot;
	uint64_t pages = ALIGN_UP(size + (pa & (PAGE_SIZE - 1)), PAGE_SIZE) / PAGE_SIZE;

	pa = ALIGN_DOWN(pa, PAGE_SIZE);
	for (uint64_t i = 0; i < pages; i++) {
		struct cap f = {.type = FL_OBJ_FRAME,
		                .rights = FL_RIGHT_READ,
		                .flags = CAPF_NO_MEMORY,
		                .obj = pa + i * PAGE_SIZE};
		unsigned s = take_slot();
		put_cap(s, &f);
		vspace_boot_map(&root_vspace_cap, &slot_at(s)->cap, va + i * PAGE_SIZE, FL_MAP_READ,
		                boot_alloc_table);
	}
	*count = (unsigned)pages;
	return first;
}

struct elf64_ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD 1
#define PF_X    1
#define PF_W    2

/* Load the root ELF; returns its entry point and the end of its image. */
static uint64_t load_elf(const struct archive_file *f, uint64_t *image_end, unsigned *first,
                         unsigned *count)
{
	const struct elf64_ehdr *eh = f->data;

	if (f->size < sizeof *eh || memcmp(eh->ident, "\177ELF", 4) || eh->ident[4] != 2 ||
	    eh->machine != 183 || eh->phentsize != sizeof(struct elf64_phdr) ||
	    eh->phoff > f->size || eh->phnum > (f->size - eh->phoff) / sizeof(struct elf64_phdr))
		panic("boot: root task '%s' is not an AArch64 ELF64 executable", f->name);
	const struct elf64_phdr *ph = (const void *)((const char *)f->data + eh->phoff);
	*first = next_slot;
	*image_end = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD || ph[i].memsz == 0)
			continue;
		if ((ph[i].vaddr & (PAGE_SIZE - 1)) || ph[i].filesz > ph[i].memsz ||
		    ph[i].offset > f->size || ph[i].filesz > f->size - ph[i].offset ||
		    ph[i].vaddr + ph[i].memsz > FL_ROOT_BOOTINFO_VADDR)
			panic(
			    "boot: root task '%s': segment %u is not page-aligned or out of range",
			    f->name, i);
		uint64_t rights = FL_MAP_READ | ((ph[i].flags & PF_W) ? FL_MAP_WRITE : 0) |
		                  ((ph[i].flags & PF_X) ? FL_MAP_EXEC : 0);
		for (uint64_t off = 0; off < ph[i].memsz; off += PAGE_SIZE) {
			uint8_t *page = root_frame(ph[i].vaddr + off, rights);
			if (off < ph[i].filesz) {
				uint64_t n =
				    ph[i].filesz - off < PAGE_SIZE ? ph[i].filesz - off : PAGE_SIZE;
				memcpy(page, (const char *)f->data + ph[i].offset + off, n);
			}
		}
		uint64_t end = ALIGN_UP(ph[i].vaddr + ph[i].memsz, PAGE_SIZE);
		if (end > *image_end)
			*image_end = end;
	}
	*count = next_slot - *first;
	/* Instructions were written through the data side: make them visible to fetch. */
	__asm__ volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
	return eh->entry;
}

static int list_file(const struct archive_file *f, void *arg)
{
	struct fl_bootinfo *bi = arg;

	if (bi->nfiles == FL_BOOTINFO_MAX_FILES)
		return 1;
	struct fl_boot_file *bf = &bi->files[bi->nfiles++];
	size_t n = strlen(f->name);
	memcpy(bf->name, f->name, n < sizeof bf->name ? n : sizeof bf->name - 1);
	bf->vaddr = FL_ROOT_ARCHIVE_VADDR +
	            (uint64_t)((const char *)f->data - (const char *)archive_start());
	bf->size = f->size;
	return 0;
}

/* Hand out [b, e) as naturally aligned power-of-two untyped caps. */
static void make_untypeds(struct fl_bootinfo *bi, uint64_t b, uint64_t e, bool device)
{
	while (b < e && bi->untyped_count < FL_BOOTINFO_MAX_UNTYPED) {
		unsigned bits = b ? (unsigned)__builtin_ctzll(b) : 47;
		while (bits > 12 && (bits > UNTYPED_MAX_BITS || (1ULL << bits) > e - b))
			bits--;
		if ((1ULL << bits) > e - b)
			break; /* less than a page left */
		struct cap c = {.type = device ? FL_OBJ_DEVICE_UNTYPED : FL_OBJ_UNTYPED,
		                .rights = FL_RIGHTS_ALL,
		                .flags = device ? CAPF_DEVICE : 0,
		                .extra = bits,
		                .obj = b};
		put_cap(take_slot(), &c);
		bi->untyped[bi->untyped_count++] = (struct fl_untyped_desc){
		    .paddr = b, .size_bits = (uint8_t)bits, .is_device = device};
		b += 1ULL << bits;
	}
}

/* Device memory a user driver may map: every DTB device page but the kernel's own. */
static void make_device_untypeds(struct fl_bootinfo *bi)
{
	uint64_t done[PLAT_MAX_DEVICES];
	unsigned ndone = 0;

	for (unsigned i = 0; i < platform.ndevices; i++) {
		const struct plat_device *d = &platform.devices[i];
		uint64_t b = ALIGN_DOWN(d->base, PAGE_SIZE);
		uint64_t e = ALIGN_UP(d->base + d->size, PAGE_SIZE);
		bool dup = false;
		if (!d->size || d->size > (256ULL << 20))
			continue;
		if (b <= platform.uart.base && platform.uart.base < e)
			continue;
		for (unsigned j = 0; j < ndone; j++)
			dup |= done[j] == b;
		if (dup)
			continue;
		done[ndone++] = b;
		make_untypeds(bi, b, e, true);
	}
}

void root_task_create(void)
{
	char name[48] = "";
	struct archive_file rootf;
	struct fl_bootinfo *bi;
	uint64_t bi_pages = ALIGN_UP(sizeof *bi, PAGE_SIZE) / PAGE_SIZE;
	unsigned first, count;

	vspace_init_asids();
	init_free_memory();
	if (archive_foreach(NULL, NULL) < 0)
		panic("boot: the boot archive is malformed");
	bootarg_value("kernel.root", name, sizeof name);
	if (archive_find(name[0] ? name : NULL, &rootf) < 0)
		panic("boot: no root task '%s' in the boot archive",
		      name[0] ? name : "(first file)");

	/* CNode, VSpace, TCB */
	root_radix = (unsigned)bootarg_ulong("kernel.root_cnode_bits", 16);
	if (root_radix < 10 || root_radix > CNODE_MAX_RADIX)
		root_radix = 16;
	root_cnode = phys_to_virt(boot_alloc(1ULL << (root_radix + CTE_SIZE_BITS)));
	struct cap cn = {.type = FL_OBJ_CNODE,
	                 .rights = FL_RIGHTS_ALL,
	                 .obj = (uint64_t)root_cnode,
	                 .extra = root_radix | (64 - root_radix) << 8};
	put_cap(FL_CAP_ROOT_CNODE, &cn);
	root_vspace_cap = (struct cap){.type = FL_OBJ_VSPACE, .rights = FL_RIGHTS_ALL};
	if (vspace_create(&root_vspace_cap, phys_to_virt(boot_alloc(PAGE_SIZE))))
		panic("boot: no ASID for the root task");
	put_cap(FL_CAP_ROOT_VSPACE, &root_vspace_cap);
	struct tcb *t = phys_to_virt(boot_alloc(1ULL << TCB_SIZE_BITS));
	tcb_init(t);
	struct cap tc = {.type = FL_OBJ_TCB, .rights = FL_RIGHTS_ALL, .obj = (uint64_t)t};
	put_cap(FL_CAP_ROOT_TCB, &tc);
	struct cap irqc = {.type = FL_OBJ_IRQ_CONTROL, .rights = FL_RIGHTS_ALL};
	put_cap(FL_CAP_IRQ_CONTROL, &irqc);

	/* IPC buffer (fixed slot), BootInfo pages, stack */
	struct fl_ipc_buffer *ipcbuf = root_frame_at(FL_CAP_IPC_BUFFER, boot_alloc(PAGE_SIZE),
	                                             FL_ROOT_IPC_BUFFER_VADDR, FL_MAP_RW);
	uint64_t bi_pa = boot_alloc(bi_pages * PAGE_SIZE); /* contiguous: written as one struct */
	bi = phys_to_virt(bi_pa);
	for (uint64_t i = 0; i < bi_pages; i++)
		root_frame_at(take_slot(), bi_pa + i * PAGE_SIZE,
		              FL_ROOT_BOOTINFO_VADDR + i * PAGE_SIZE, FL_MAP_READ);
	bi->magic = FL_BOOTINFO_MAGIC;
	bi->size = sizeof *bi;
	bi->stack_frames_first = next_slot;
	for (unsigned i = 0; i < FL_ROOT_STACK_PAGES; i++)
		root_frame(FL_ROOT_STACK_TOP - (i + 1) * PAGE_SIZE, FL_MAP_RW);
	bi->stack_frames_count = FL_ROOT_STACK_PAGES;
	bi->stack_top = FL_ROOT_STACK_TOP;

	/* ELF image, archive and DTB views */
	uint64_t image_end;
	uint64_t entry = load_elf(&rootf, &image_end, &first, &count);
	bi->image_frames_first = first;
	bi->image_frames_count = count;
	bi->heap_vaddr = image_end;
	bi->archive_frames_first = map_readonly(virt_to_phys(archive_start()), archive_size(),
	                                        FL_ROOT_ARCHIVE_VADDR, &count);
	bi->archive_frames_count = count;
	bi->archive_vaddr = FL_ROOT_ARCHIVE_VADDR;
	bi->archive_size = archive_size();
	archive_foreach(list_file, bi);
	map_readonly(dtb_phys, dtb_size, FL_ROOT_DTB_VADDR, &count);
	bi->trace_frames_first =
	    map_readonly(ipclog_phys(), ipclog_size(), FL_ROOT_TRACE_VADDR, &count);
	bi->trace_frames_count = count;
	bi->trace_vaddr = FL_ROOT_TRACE_VADDR;
	bi->console_irq = platform.uart.irq;
	struct cap trc = {.type = FL_OBJ_TRACE, .rights = FL_RIGHTS_ALL};
	put_cap(FL_CAP_TRACE, &trc);
	bi->dtb_vaddr = FL_ROOT_DTB_VADDR + (dtb_phys & (PAGE_SIZE - 1));
	bi->dtb_size = dtb_size;

	/* Everything left is the root task's to retype. */
	bi->untyped_first = next_slot;
	for (unsigned i = 0; i < nfree; i++)
		if (free_ranges[i].end > free_ranges[i].base)
			make_untypeds(bi, free_ranges[i].base, free_ranges[i].end, false);
	make_device_untypeds(bi);
	bi->empty_first = next_slot;
	bi->empty_count = (1u << root_radix) - next_slot;
	bi->ncpus = smp_ncpus();
	bi->cnode_radix = root_radix;
	bi->ipc_buffer = FL_ROOT_IPC_BUFFER_VADDR;
	bi->timer_frequency = timer_frequency();
	bi->root_thread_id = t->id;
	memcpy(bi->bootargs, platform.bootargs, sizeof bi->bootargs);
	bi->bootargs[sizeof bi->bootargs - 1] = '\0';

	/* The thread: its own copies of CSpace, VSpace and IPC buffer caps. */
	struct cap cn_copy = cn, vs_copy = root_vspace_cap;
	cn_copy.flags |= CAPF_TCB_SLOT;
	vs_copy.flags |= CAPF_TCB_SLOT;
	cte_insert_child(slot_at(FL_CAP_ROOT_CNODE), &t->slots[TCB_SLOT_CSPACE], &cn_copy);
	cte_insert_child(slot_at(FL_CAP_ROOT_VSPACE), &t->slots[TCB_SLOT_VSPACE], &vs_copy);
	tcb_refresh_cached(t);
	struct cap ipcc = slot_at(FL_CAP_IPC_BUFFER)->cap;
	ipcc.flags = (uint16_t)((ipcc.flags & ~CAPF_MAPPED) | CAPF_TCB_IPCBUF);
	ipcc.data = 0;
	cte_insert_child(slot_at(FL_CAP_IPC_BUFFER), &t->slots[TCB_SLOT_IPCBUF], &ipcc);
	t->ipcbuf = ipcbuf;
	t->ipcbuf_va = FL_ROOT_IPC_BUFFER_VADDR;
	t->ctx.pc = entry;
	t->ctx.sp = FL_ROOT_STACK_TOP;
	t->ctx.x[0] = FL_ROOT_BOOTINFO_VADDR;
	t->priority = t->max_priority = FL_PRIORITY_MAX;
	t->affinity = 0;
	uint64_t ram = 0;
	for (unsigned i = 0; i < bi->untyped_count; i++)
		if (!bi->untyped[i].is_device)
			ram += 1ULL << bi->untyped[i].size_bits;
	kprintf("root task '%s': entry %lx, %lu untyped caps (%lu KiB of RAM free), %lu files\n",
	        rootf.name, (unsigned long)entry, (unsigned long)bi->untyped_count,
	        (unsigned long)(ram >> 10), (unsigned long)bi->nfiles);
	sched_wake(t);
}
