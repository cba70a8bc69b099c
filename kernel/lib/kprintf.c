/*
 * Formatted output for the kernel. A small printf engine writes into a sink;
 * kprintf's sink is the console, ksnprintf's a bounded buffer.
 */
#include "kernel/lib.h"
#include "kernel/console.h"

struct sink {
	void (*put)(struct sink *, char);
	char *buf;
	size_t len, cap;
};

static void emit_number(struct sink *s, unsigned long long v, unsigned base, int neg, int width,
                        char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	for (int i = n; i < width; i++)
		s->put(s, pad);
	while (n)
		s->put(s, tmp[--n]);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
			emit_number(s, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10,
			            v < 0, width, pad);
			break;
		}
		case 'u':
			emit_number(s, lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned),
			            10, 0, width, pad);
			break;
		case 'x':
			emit_number(s, lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned),
			            16, 0, width, pad);
			break;
		case 'p':
			s->put(s, '0');
			s->put(s, 'x');
			emit_number(s, (uintptr_t)va_arg(ap, void *), 16, 0, 16, '0');
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = (int)strlen(str);
			for (int i = len; i < width; i++)
				s->put(s, ' ');
			while (*str)
				s->put(s, *str++);
			break;
		}
		case 'c':
			s->put(s, (char)va_arg(ap, int));
			break;
		case '%':
			s->put(s, '%');
			break;
		case '\0':
			return;
		default:
			s->put(s, '%');
			s->put(s, *fmt);
		}
	}
}

static void console_sink(struct sink *s, char c)
{
	(void)s;
	console_putc_locked(c);
}

static void buffer_sink(struct sink *s, char c)
{
	if (s->len + 1 < s->cap)
		s->buf[s->len] = c;
	s->len++;
}

void kvprintf(const char *fmt, va_list ap)
{
	struct sink s = {.put = console_sink};

	console_lock();
	format(&s, fmt, ap);
	console_unlock();
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct sink s = {.put = buffer_sink, .buf = buf, .cap = size};
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}
