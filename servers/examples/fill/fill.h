/*
 * The fill pager's window: pages of its child's heap in
 * [FILL_BASE, FILL_BASE + FILL_SIZE) read, when first touched, as
 * pattern_byte(address) instead of zeros. A program under the fill pager
 * grows its heap (sbrk) over the window to use it; the rest of its memory
 * is zero-filled as usual (malloc and the runtime expect fresh pages to be
 * zero).
 */
#ifndef EXAMPLES_FILL_H
#define EXAMPLES_FILL_H

#define FILL_BASE 0x10000000ULL
#define FILL_SIZE (64ULL << 20)

#endif
