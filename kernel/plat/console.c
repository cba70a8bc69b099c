/*
 * Console drivers: the ARM PL011 and the BCM2835 mini UART (the Raspberry
 * Pi 4's default console when U-Boot runs on it). Polled output only; the
 * kernel never reads from the console.
 */
#include "kernel/console.h"
#include "kernel/spinlock.h"
#include "arch/mmu.h"

#define PL011_DR      0x00
#define PL011_FR      0x18
#define PL011_FR_TXFF (1u << 5)

#define MINI_IO           0x00 /* offsets from the AUX_MU block (aux base + 0x40) */
#define MINI_LSR          0x14
#define MINI_LSR_TX_EMPTY (1u << 5)

static struct spinlock console_spin;
static volatile uint8_t *uart_base;
static enum plat_uart_kind uart_kind;

static inline uint32_t rd32(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void wr32(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static void uart_putc_raw(char c)
{
	if (!uart_base)
		return;
	if (uart_kind == PLAT_UART_PL011) {
		while (rd32(uart_base, PL011_FR) & PL011_FR_TXFF)
			;
		wr32(uart_base, PL011_DR, (uint8_t)c);
	} else if (uart_kind == PLAT_UART_MINI) {
		while (!(rd32(uart_base, MINI_LSR) & MINI_LSR_TX_EMPTY))
			;
		wr32(uart_base, MINI_IO, (uint8_t)c);
	}
}

void console_init_early(void)
{
#ifdef BOARD_EARLY_UART_BASE
	uart_base = devmap(BOARD_EARLY_UART_BASE, 0x1000);
	uart_kind = BOARD_EARLY_UART_KIND;
#endif
}

void console_init(const struct platform_info *plat)
{
	if (plat->uart.kind == PLAT_UART_NONE)
		return; /* keep the early console */
	console_lock();
	uart_base = devmap(plat->uart.base, plat->uart.size ? plat->uart.size : 0x1000);
	uart_kind = plat->uart.kind;
	console_unlock();
}

void console_lock(void)
{
	spin_lock(&console_spin);
}
void console_unlock(void)
{
	spin_unlock(&console_spin);
}

void console_force_unlock(void)
{
	console_spin.serving = console_spin.next;
}

void console_putc_locked(char c)
{
	if (c == '\n')
		uart_putc_raw('\r');
	uart_putc_raw(c);
}

void console_write(const char *s, unsigned long n)
{
	console_lock();
	while (n--)
		console_putc_locked(*s++);
	console_unlock();
}
