/* Boot-time facts every part of the kernel may read after kernel_main has set them. */
#ifndef FAULTLINE_KERNEL_BOOT_H
#define FAULTLINE_KERNEL_BOOT_H

#include "plat/platform.h"

extern struct platform_info platform; /* read-only after the boot CPU parsed the DTB */
extern char machine_model[64];
extern uint64_t dtb_phys, dtb_size;

/* Bootargs: "word" flags and "key=value" pairs separated by spaces. */
int bootarg_flag(const char *name);
/* Copies the value of name=value into buf (NUL-terminated); returns 1 if present. */
int bootarg_value(const char *name, char *buf, unsigned size);
unsigned long bootarg_ulong(const char *name, unsigned long dflt);

#define FAULTLINE_VERSION "0.1"

#endif
