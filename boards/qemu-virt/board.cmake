# QEMU "virt": everything else comes from the DTB QEMU passes in x0.
# The early console is used only until the DTB has been read (and to report
# a DTB that cannot be read); it is QEMU virt's documented PL011 address.
set(BOARD_EARLY_UART_BASE 0x09000000)
set(BOARD_EARLY_UART_KIND PL011)
set(BOARD_QEMU_MACHINE "virt")
