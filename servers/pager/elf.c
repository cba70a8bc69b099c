/*
 * ELF images from the boot archive as regions of a process: one file-backed
 * region per PT_LOAD segment (loaded lazily, page by page, by vmcore's
 * file_read on first touch; private writable data is read into a private
 * frame so the archive is never written), then the empty heap one guard page
 * above the image. Nothing is copied here.
 */
#include <elf.h>
#include <string.h>

#include "core.h"

#define PAGE_DOWN(x) ((x) & ~VM_PAGE_MASK)
#define PAGE_UP(x)   (((x) + VM_PAGE_MASK) & ~VM_PAGE_MASK)

/* Check and add the regions of archive file `file` to p's space; the entry
 * point and the initial break go to *entry and *heap_start. 0, or -1 with a
 * log line saying what is wrong with the image. */
int elf_load(struct process *p, uint32_t file, uint64_t *entry, uint64_t *heap_start)
{
	const struct fl_boot_file *f = archive_file(file);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f->vaddr;
	uint64_t top = 0;

	if (f->size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_AARCH64 ||
	    eh->e_type != ET_EXEC || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > f->size || eh->e_phnum > (f->size - eh->e_phoff) / sizeof(Elf64_Phdr)) {
		plog("%s: not an AArch64 executable", f->name);
		return -1;
	}
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(f->vaddr + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *s = &ph[i];
		if (s->p_type != PT_LOAD || s->p_memsz == 0)
			continue;
		if (s->p_filesz > s->p_memsz || s->p_offset > f->size ||
		    s->p_filesz > f->size - s->p_offset || s->p_vaddr < USER_IMAGE_MIN ||
		    s->p_vaddr + s->p_memsz > USER_STACK_TOP - (1ULL << 32) ||
		    (s->p_vaddr & VM_PAGE_MASK) != (s->p_offset & VM_PAGE_MASK)) {
			plog("%s: bad segment %u", f->name, i);
			return -1;
		}
		struct vm_region_desc d = {
		    .kind = VM_REGION_FILE,
		    .start = PAGE_DOWN(s->p_vaddr),
		    .end = PAGE_UP(s->p_vaddr + s->p_memsz),
		    .rights = ((s->p_flags & PF_R) ? VM_R : 0) | ((s->p_flags & PF_W) ? VM_W : 0) |
		              ((s->p_flags & PF_X) ? VM_X : 0),
		    .file = file,
		    .file_vaddr = s->p_vaddr,
		    .file_offset = s->p_offset,
		    .file_size = s->p_filesz,
		};
		d.rights |= VM_R;
		int err = vm_region_add(&p->space, &d);
		if (err) {
			plog("%s: segment %u not added (%d)", f->name, i, err);
			return -1;
		}
		if (d.end > top)
			top = d.end;
	}
	if (!top || eh->e_entry < USER_IMAGE_MIN || eh->e_entry >= top) {
		plog("%s: no loadable code at the entry point", f->name);
		return -1;
	}
	*entry = eh->e_entry;
	*heap_start = top + VM_PAGE_SIZE; /* one guard page between image and heap */
	struct vm_region_desc h = {.kind = VM_REGION_HEAP,
	                           .start = *heap_start,
	                           .end = *heap_start,
	                           .rights = VM_R | VM_W};
	return vm_region_add(&p->space, &h) ? -1 : 0;
}
