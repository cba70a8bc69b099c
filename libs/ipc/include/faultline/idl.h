/*
 * The runtime of IDL-generated code (tools/codegen): reply codes, word access
 * across registers and IPC buffer, the checks the server dispatch and the
 * client stubs make, and packing of bytes into words. Generated code only;
 * the wire rules are written out in docs/idl.md.
 */
#ifndef FAULTLINE_IDL_H
#define FAULTLINE_IDL_H

#include <stdbool.h>

#include <faultline/ipc.h>

/*
 * Reply labels (error codes). 0 is success; 1..31 belong to the generated
 * code itself; 32..0xffff are the errors each interface declares. A client
 * stub also returns FL_IDL_E_KERNEL_BASE + fl_error when the kernel refused
 * the call; those never travel as labels.
 */
enum fl_idl_error {
	FL_IDL_OK = 0,
	FL_IDL_E_BAD_METHOD = 1,   /* unknown label, or the server does not implement it */
	FL_IDL_E_BAD_LENGTH = 2,   /* wrong number of words, or more caps than the method takes */
	FL_IDL_E_BAD_ARGUMENT = 3, /* MR0 = index of the parameter that is out of range */
	FL_IDL_E_BAD_CAP =
	    4, /* MR0 = index of the cap that is missing or has the wrong type/rights */
	FL_IDL_E_BAD_REPLY = 5, /* client side: the reply broke the interface */
	FL_IDL_E_SERVER = 6, /* the handler broke the interface (undeclared error, bad out value) */
};
#define FL_IDL_E_DISPATCH_MAX 31
#define FL_IDL_E_IFACE_MIN    32
#define FL_IDL_E_KERNEL_BASE  0x10000

/* What a handler returns instead of an error code to reply later itself. */
#define FL_IDL_DEFER (-1)

/* What a dispatch function returns: whether the caller must send m as the reply. */
#define FL_IDL_NO_REPLY 0
#define FL_IDL_REPLY    1

/* Word k of a message: MR0..MR5 in m, the rest in the IPC buffer b. */
static inline uint64_t fl_idl_get(const struct fl_msg *m, const struct fl_ipc_buffer *b, unsigned k)
{
	return k < FL_MSG_REG_COUNT ? m->mr[k] : b->msg[k];
}

/* Set word k of a message (see fl_idl_get). */
static inline void fl_idl_set(struct fl_msg *m, struct fl_ipc_buffer *b, unsigned k, uint64_t w)
{
	if (k < FL_MSG_REG_COUNT)
		m->mr[k] = w;
	else
		b->msg[k] = w;
}

/* Is w the zero-extension of a bits-wide unsigned value (bits < 64)? */
static inline bool fl_idl_fits_unsigned(uint64_t w, unsigned bits)
{
	return (w >> bits) == 0;
}

/* Is w the sign-extension of a bits-wide signed value (bits < 64)? */
static inline bool fl_idl_fits_signed(uint64_t w, unsigned bits)
{
	uint64_t top = w >> (bits - 1); /* the sign bit and everything above it */

	return top == 0 || top == (UINT64_MAX >> (bits - 1));
}

/* Length of s, looking at no more than max bytes. */
static inline size_t fl_idl_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Pack n bytes of p into the words from k on, little-endian, padding zero. */
static inline void fl_idl_put_packed(struct fl_msg *m, struct fl_ipc_buffer *b, unsigned k,
                                     const uint8_t *p, size_t n)
{
	for (size_t w = 0; w < (n + 7) / 8; w++) {
		uint64_t word = 0;

		for (size_t i = 0; i < 8 && w * 8 + i < n; i++)
			word |= (uint64_t)p[w * 8 + i] << (8 * i);
		fl_idl_set(m, b, k + (unsigned)w, word);
	}
}

/*
 * Unpack the words from k on (the first words_n of them) into n bytes of p;
 * false if any byte past n (padding) is not zero.
 */
static inline bool fl_idl_get_packed(const struct fl_msg *m, const struct fl_ipc_buffer *b,
                                     unsigned k, size_t words_n, uint8_t *p, size_t n)
{
	for (size_t w = 0; w < words_n; w++) {
		uint64_t word = fl_idl_get(m, b, k + (unsigned)w);

		for (size_t i = 0; i < 8; i++) {
			uint8_t byte = (uint8_t)(word >> (8 * i));

			if (w * 8 + i < n)
				p[w * 8 + i] = byte;
			else if (byte != 0)
				return false;
		}
	}
	return true;
}

/* Write string<max>/bytes<max> p[0..n) at word k: a length word, then the
 * ceil(max/8) data words. Caller guarantees n <= max. */
static inline void fl_idl_put_bytes(struct fl_msg *m, struct fl_ipc_buffer *b, unsigned k,
                                    size_t max, const uint8_t *p, size_t n)
{
	fl_idl_set(m, b, k, n);
	fl_idl_put_packed(m, b, k + 1, p, n);
	for (size_t w = (n + 7) / 8; w < (max + 7) / 8; w++)
		fl_idl_set(m, b, k + 1 + (unsigned)w, 0);
}

/*
 * Read string<max>/bytes<max> at word k into p (max bytes, plus a NUL for a
 * string) and its length into *n; false if the length exceeds max, padding
 * is not zero, or (string) a NUL byte lies within the length.
 */
static inline bool fl_idl_get_bytes(const struct fl_msg *m, const struct fl_ipc_buffer *b,
                                    unsigned k, size_t max, uint8_t *p, size_t *n, bool string)
{
	uint64_t len = fl_idl_get(m, b, k);

	if (len > max)
		return false;
	if (!fl_idl_get_packed(m, b, k + 1, (max + 7) / 8, p, (size_t)len))
		return false;
	if (string) {
		for (size_t i = 0; i < len; i++)
			if (p[i] == 0)
				return false;
		p[len] = 0;
	}
	*n = (size_t)len;
	return true;
}

/*
 * Check the caps of received message m against want[0..n) (fl_capinfo of the
 * type and the rights each must carry at least). Returns FL_IDL_OK,
 * FL_IDL_E_BAD_LENGTH (more caps than n) or FL_IDL_E_BAD_CAP with *bad = the
 * first cap that is missing, was not transferred (unwrapped), or has another
 * type or fewer rights.
 */
static inline int fl_idl_check_caps(const struct fl_msg *m, const struct fl_ipc_buffer *b,
                                    const uint64_t *want, unsigned n, unsigned *bad)
{
	unsigned got = fl_msginfo_caps(m->info);
	unsigned unwrapped = fl_msginfo_unwrapped(m->info);

	if (got > n)
		return FL_IDL_E_BAD_LENGTH;
	for (unsigned i = 0; i < n; i++) {
		uint64_t ci = b->recv_capinfo[i];

		if (i >= got || (unwrapped & (1u << i)) != 0 ||
		    fl_capinfo_type(ci) != fl_capinfo_type(want[i]) ||
		    (fl_capinfo_rights(ci) & fl_capinfo_rights(want[i])) !=
		        fl_capinfo_rights(want[i])) {
			*bad = i;
			return FL_IDL_E_BAD_CAP;
		}
	}
	return FL_IDL_OK;
}

/* Turn m into the error reply err (with MR0 = arg for BAD_ARGUMENT/BAD_CAP);
 * returns what a dispatch returns: reply unless the method is oneway. */
static inline int fl_idl_error_reply(struct fl_msg *m, uint64_t err, uint64_t arg, bool oneway)
{
	bool with_arg = err == FL_IDL_E_BAD_ARGUMENT || err == FL_IDL_E_BAD_CAP;

	m->info = fl_msginfo(err, with_arg ? 1 : 0, 0);
	m->mr[0] = with_arg ? arg : 0;
	return oneway ? FL_IDL_NO_REPLY : FL_IDL_REPLY;
}

/* Send error reply err through reply object reply (for a deferred reply). */
static inline uint64_t fl_idl_reply_error(fl_cptr_t reply, uint64_t err)
{
	struct fl_msg m = {0};

	m.info = fl_msginfo(err, 0, 0);
	fl_reply(reply, &m);
	return m.info;
}

/* The status a client stub returns for the reply in m->info (label or kernel error). */
static inline int fl_idl_reply_status(uint64_t info)
{
	uint64_t label = fl_msginfo_label(info);

	if (fl_msginfo_is_error(info))
		return (int)(FL_IDL_E_KERNEL_BASE + (label & 0xffff));
	if (label > 0xffff)
		return FL_IDL_E_BAD_REPLY;
	return (int)label;
}

#endif
