# Raspberry Pi 4 Model B (BCM2711), booted by the Pi firmware and U-Boot's
# rpi_4 build, or directly by QEMU 10's raspi4b. Everything else comes from
# the DTB in x0: memory, GIC-400, timer, spin-table CPUs, the console.
#
# The early console is used only until the DTB has been read (and to report
# a DTB that cannot be read). It is the mini UART (UART1, AUX block at
# 0x7e215000 on the VideoCore bus = 0xfe215000 in the ARM's low-peripheral
# map, its registers at +0x40): the UART on GPIO 14/15 that U-Boot and the
# upstream DTB's /chosen/stdout-path use, so an early message reaches the
# same serial adapter as the rest of the console.
set(BOARD_EARLY_UART_BASE 0xfe215040)
set(BOARD_EARLY_UART_KIND MINI)
set(BOARD_QEMU_MACHINE "raspi4b")
