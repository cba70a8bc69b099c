/*
 * The IPC log: every IPC event goes into the current CPU's ring (no lock
 * beyond the big lock the caller already holds). Full rings overwrite their
 * oldest records and count them as dropped. The rings are readable in place
 * by whoever maps them (the root task gets read-only frame caps) and can be
 * dumped to the console in a line-oriented, checksummed form that
 * tools/trace finds in a serial log:
 *
 *   FLTRACE BEGIN v1 cpus=<n> freq=<hz>
 *   FLTRACE RING <cpu> head=<n> dropped=<n>
 *   FLTRACE R <cpu> <128 hex digits: the 64-byte record> <crc32 of the record, 8 hex digits>
 *   FLTRACE END
 */
#include "arch/mmu.h"
#include "arch/timer.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/ipclog.h"
#include "kernel/lib.h"
#include "kernel/percpu.h"
#include "kernel/smp.h"

int ipclog_enabled;
static struct fl_ipclog_ring rings[MAX_CPUS] __attribute__((aligned(PAGE_SIZE)));

void ipclog_init(void)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		rings[i].cpu = i;
		rings[i].nrecords = FL_IPCLOG_RECORDS;
	}
	ipclog_enabled = bootarg_flag("kernel.trace");
	for (unsigned i = 0; i < MAX_CPUS; i++)
		rings[i].enabled = (uint64_t)ipclog_enabled;
}

uint64_t ipclog_phys(void) { return virt_to_phys(rings); }
uint64_t ipclog_size(void) { return sizeof rings; }

void ipclog_write(unsigned kind, const struct tcb *from, const struct tcb *to, uint64_t badge,
		  uint64_t label, unsigned length, const uint64_t *words, unsigned nwords, unsigned flags)
{
	unsigned cpu = this_cpu()->id;
	struct fl_ipclog_ring *r = &rings[cpu];
	struct fl_ipclog_record *rec = &r->rec[r->head % FL_IPCLOG_RECORDS];

	if (r->head >= FL_IPCLOG_RECORDS)
		r->dropped++;
	rec->timestamp = counter_now();
	rec->kind = (uint8_t)kind;
	rec->cpu = (uint8_t)cpu;
	rec->nwords = (uint8_t)(nwords > 3 ? 3 : nwords);
	rec->flags = (uint8_t)flags;
	rec->from = from ? from->id : 0;
	rec->to = to ? to->id : 0;
	rec->length = length;
	rec->badge = badge;
	rec->label = label;
	for (unsigned i = 0; i < 3; i++)
		rec->words[i] = i < nwords ? words[i] : 0;
	/* Publish the record before the head that makes it visible to readers. */
	__atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

static uint32_t crc32(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffff;

	while (n--) {
		c ^= *b++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

/* Write every ring to the console. The records of a CPU come oldest first. */
static void dump(void)
{
	static const char hex[] = "0123456789abcdef";
	char line[8 + 4 + 129 + 10 + 2];

	kprintf("FLTRACE BEGIN v1 cpus=%u freq=%lu\n", smp_ncpus(), (unsigned long)timer_frequency());
	for (unsigned cpu = 0; cpu < smp_ncpus(); cpu++) {
		struct fl_ipclog_ring *r = &rings[cpu];
		uint64_t head = r->head;
		uint64_t first = head > FL_IPCLOG_RECORDS ? head - FL_IPCLOG_RECORDS : 0;
		kprintf("FLTRACE RING %u head=%lu dropped=%lu\n", cpu, (unsigned long)head,
			(unsigned long)r->dropped);
		for (uint64_t i = first; i < head; i++) {
			const uint8_t *rec = (const uint8_t *)&r->rec[i % FL_IPCLOG_RECORDS];
			for (unsigned j = 0; j < 64; j++) {
				line[2 * j] = hex[rec[j] >> 4];
				line[2 * j + 1] = hex[rec[j] & 15];
			}
			line[128] = '\0';
			kprintf("FLTRACE R %u %s %08x\n", cpu, line, crc32(rec, 64));
		}
	}
	kprintf("FLTRACE END\n");
}

int trace_invoke(struct invocation *inv)
{
	switch (inv->label) {
	case FL_TRACE_ENABLE:
		if (inv->len < 1)
			return FL_E_TRUNCATED;
		if (inv->mr[0] > 1)
			return FL_E_INVALID_ARGUMENT;
		ipclog_enabled = (int)inv->mr[0];
		for (unsigned i = 0; i < MAX_CPUS; i++)
			rings[i].enabled = inv->mr[0];
		return FL_OK;
	case FL_TRACE_DUMP:
		dump();
		return FL_OK;
	default:
		return FL_E_ILLEGAL_OPERATION;
	}
}
