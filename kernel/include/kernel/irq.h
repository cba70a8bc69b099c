/* Interrupt dispatch: the tick, IPIs, and device IRQs routed to user handlers. */
#ifndef FAULTLINE_KERNEL_IRQ_H
#define FAULTLINE_KERNEL_IRQ_H

struct notification;

/* Acknowledge and handle every pending interrupt on this CPU. Caller has
 * interrupts masked; takes the big lock itself where it needs it. */
void irq_dispatch(void);
void irq_stop_this_cpu(void) __attribute__((noreturn));
/* A device interrupt fired: signal its handler's notification (object/irq.c). */
void irq_device(unsigned intid);
/* Lines acknowledged with FL_IRQ_ACK_ON_WAIT and still masked (object/irq.c). */
extern unsigned irq_ndeferred;
void irq_unmask_deferred(struct notification *n);
/* A thread is about to block waiting on n: unmask the lines acknowledged
 * with FL_IRQ_ACK_ON_WAIT that signal n. Big lock held. Inline: every
 * blocking wait on a notification asks, and there is rarely one. */
static inline void irq_waiting_on(struct notification *n)
{
	if (irq_ndeferred)
		irq_unmask_deferred(n);
}
const char *esr_class_name(unsigned long esr);

#endif
