/*
 * Kernel entry from user mode: syscalls, faults and interrupts taken at EL0.
 */
#include "arch/context.h"
#include "kernel/lib.h"

void trap_el0_sync(struct user_context *ctx) { (void)ctx; panic("EL0 exception before user mode exists"); }
void trap_el0_irq(struct user_context *ctx) { (void)ctx; panic("EL0 interrupt before user mode exists"); }
void trap_el0_serror(struct user_context *ctx) { (void)ctx; panic("EL0 SError"); }
