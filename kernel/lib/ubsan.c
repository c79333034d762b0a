/*
 * ubsan.c - the kernel's runtime for GCC's undefined-behaviour sanitizer,
 * in the sanitizer build only (`make ksan`: -fsanitize=undefined and
 * -DKEEL_KSAN; docs/reliability.md).
 *
 * The compiler puts a check before each operation that C leaves undefined
 * (an overflowing signed add, a shift by too much, an index past an
 * array, a misaligned or null pointer, a bool or enum load out of range,
 * __builtin_unreachable reached) and calls one of the handlers below when
 * it fails, with a record naming the file, line and column.  A test boot
 * panics there: the report names the check and the place, and the
 * backtrace the caller.  Any other boot reports each place once, marking
 * its record, and goes on.
 *
 * The records' layouts are the compiler's ABI (GCC's ubsan.c, the same as
 * LLVM's compiler-rt ubsan_handlers.h); the names of the handlers too.
 */
#ifdef KEEL_KSAN
#include <keel/boot.h>
#include <keel/console.h>
#include <keel/panic.h>

struct ubsan_loc {
	const char *file;
	u32 line, column;
};

struct ubsan_type {
	u16 kind, info; /* kind: 0 integer, 1 float; info: bit 0 signed, bits 1+ log2(bits) */
	char name[];
};

#define UBSAN_REPORTED (1u << 31) /* in column: reported once already */

/* Report a failed check at loc; `what` says which and with what values. */
static void ubsan_report(struct ubsan_loc *loc, const char *what)
{
	if (boot.test_mode)
		panic("undefined behaviour (sanitizer): %s at %s:%u:%u", what, loc->file, loc->line,
		      loc->column & ~UBSAN_REPORTED);
	if (loc->column & UBSAN_REPORTED)
		return;
	loc->column |= UBSAN_REPORTED;
	klog("ubsan", "undefined behaviour: %s at %s:%u:%u", what, loc->file, loc->line,
	     loc->column & ~UBSAN_REPORTED);
}

/* An integer's value as text: signed or not, by its type. */
static const char *ubsan_value(char *buf, size_t size, const struct ubsan_type *t, u64 v)
{
	u32 bits = 1u << (t->info >> 1);

	if (t->kind == 0 && (t->info & 1)) {
		i64 s = bits < 64 ? (i64)(v << (64 - bits)) >> (64 - bits) : (i64)v;
		fmt_snprintf(buf, size, "%ld", s);
	} else {
		fmt_snprintf(buf, size, "%lu", v);
	}
	return buf;
}

struct ubsan_mismatch {
	struct ubsan_loc loc;
	const struct ubsan_type *type;
	u8 log_align, kind;
};

static const char *const access_kind[] = {
	"load of",
	"store to",
	"reference binding to",
	"member access within",
	"member call on",
	"constructor call on",
	"downcast of",
	"downcast of",
	"upcast of",
	"cast to virtual base of",
	"nonnull binding to",
	"dynamic operation on",
};

void __ubsan_handle_type_mismatch_v1(struct ubsan_mismatch *d, u64 ptr);
void __ubsan_handle_type_mismatch_v1(struct ubsan_mismatch *d, u64 ptr)
{
	char what[160];
	const char *kind = d->kind < sizeof(access_kind) / sizeof(access_kind[0])
			       ? access_kind[d->kind]
			       : "access to";
	u64 align = 1ull << d->log_align;

	if (!ptr)
		fmt_snprintf(what, sizeof(what), "%s a null pointer of type %s", kind,
			     d->type->name);
	else if (align > 1 && (ptr & (align - 1)))
		fmt_snprintf(what, sizeof(what),
			     "%s misaligned address 0x%lx for type %s (%lu-byte "
			     "alignment)",
			     kind, ptr, d->type->name, align);
	else
		fmt_snprintf(what, sizeof(what),
			     "%s address 0x%lx with too little room for type %s", kind, ptr,
			     d->type->name);
	ubsan_report(&d->loc, what);
}

struct ubsan_overflow {
	struct ubsan_loc loc;
	const struct ubsan_type *type;
};

static void overflow(struct ubsan_overflow *d, u64 a, u64 b, char op)
{
	char what[160], x[24], y[24];

	fmt_snprintf(what, sizeof(what), "%s overflow: %s %c %s in type %s",
		     (d->type->info & 1) ? "signed integer" : "unsigned integer",
		     ubsan_value(x, sizeof(x), d->type, a), op,
		     ubsan_value(y, sizeof(y), d->type, b), d->type->name);
	ubsan_report(&d->loc, what);
}

void __ubsan_handle_add_overflow(struct ubsan_overflow *d, u64 a, u64 b);
void __ubsan_handle_add_overflow(struct ubsan_overflow *d, u64 a, u64 b)
{
	overflow(d, a, b, '+');
}

void __ubsan_handle_sub_overflow(struct ubsan_overflow *d, u64 a, u64 b);
void __ubsan_handle_sub_overflow(struct ubsan_overflow *d, u64 a, u64 b)
{
	overflow(d, a, b, '-');
}

void __ubsan_handle_mul_overflow(struct ubsan_overflow *d, u64 a, u64 b);
void __ubsan_handle_mul_overflow(struct ubsan_overflow *d, u64 a, u64 b)
{
	overflow(d, a, b, '*');
}

void __ubsan_handle_negate_overflow(struct ubsan_overflow *d, u64 a);
void __ubsan_handle_negate_overflow(struct ubsan_overflow *d, u64 a)
{
	char what[128], x[24];

	fmt_snprintf(what, sizeof(what), "negation of %s cannot be represented in type %s",
		     ubsan_value(x, sizeof(x), d->type, a), d->type->name);
	ubsan_report(&d->loc, what);
}

void __ubsan_handle_divrem_overflow(struct ubsan_overflow *d, u64 a, u64 b);
void __ubsan_handle_divrem_overflow(struct ubsan_overflow *d, u64 a, u64 b)
{
	char what[128], x[24];

	if (b == 0)
		fmt_snprintf(what, sizeof(what), "division of %s by zero in type %s",
			     ubsan_value(x, sizeof(x), d->type, a), d->type->name);
	else
		fmt_snprintf(what, sizeof(what), "division of %s by -1 overflows type %s",
			     ubsan_value(x, sizeof(x), d->type, a), d->type->name);
	ubsan_report(&d->loc, what);
}

struct ubsan_shift {
	struct ubsan_loc loc;
	const struct ubsan_type *lhs, *rhs;
};

void __ubsan_handle_shift_out_of_bounds(struct ubsan_shift *d, u64 a, u64 b);
void __ubsan_handle_shift_out_of_bounds(struct ubsan_shift *d, u64 a, u64 b)
{
	char what[160], x[24], y[24];

	fmt_snprintf(what, sizeof(what), "shift %s << or >> %s out of range (%s by %s)",
		     ubsan_value(x, sizeof(x), d->lhs, a), ubsan_value(y, sizeof(y), d->rhs, b),
		     d->lhs->name, d->rhs->name);
	ubsan_report(&d->loc, what);
}

struct ubsan_bounds {
	struct ubsan_loc loc;
	const struct ubsan_type *array, *index;
};

void __ubsan_handle_out_of_bounds(struct ubsan_bounds *d, u64 index);
void __ubsan_handle_out_of_bounds(struct ubsan_bounds *d, u64 index)
{
	char what[128], x[24];

	fmt_snprintf(what, sizeof(what), "index %s out of bounds for type %s",
		     ubsan_value(x, sizeof(x), d->index, index), d->array->name);
	ubsan_report(&d->loc, what);
}

struct ubsan_invalid {
	struct ubsan_loc loc;
	const struct ubsan_type *type;
};

void __ubsan_handle_load_invalid_value(struct ubsan_invalid *d, u64 v);
void __ubsan_handle_load_invalid_value(struct ubsan_invalid *d, u64 v)
{
	char what[128];

	fmt_snprintf(what, sizeof(what), "load of value %lu, which is not valid for type %s", v,
		     d->type->name);
	ubsan_report(&d->loc, what);
}

void __ubsan_handle_vla_bound_not_positive(struct ubsan_invalid *d, u64 v);
void __ubsan_handle_vla_bound_not_positive(struct ubsan_invalid *d, u64 v)
{
	ubsan_report(&d->loc, "variable-length array bound not positive");
}

struct ubsan_only_loc {
	struct ubsan_loc loc;
};

void __ubsan_handle_builtin_unreachable(struct ubsan_only_loc *d);
void __ubsan_handle_builtin_unreachable(struct ubsan_only_loc *d)
{
	/* Never returns: the compiler assumes nothing after it runs. */
	panic("undefined behaviour (sanitizer): __builtin_unreachable() reached at %s:%u:%u",
	      d->loc.file, d->loc.line, d->loc.column & ~UBSAN_REPORTED);
}

void __ubsan_handle_missing_return(struct ubsan_only_loc *d);
void __ubsan_handle_missing_return(struct ubsan_only_loc *d)
{
	panic("undefined behaviour (sanitizer): the end of a value-returning function reached "
	      "at %s:%u:%u",
	      d->loc.file, d->loc.line, d->loc.column & ~UBSAN_REPORTED);
}

void __ubsan_handle_pointer_overflow(struct ubsan_only_loc *d, u64 base, u64 result);
void __ubsan_handle_pointer_overflow(struct ubsan_only_loc *d, u64 base, u64 result)
{
	char what[128];

	fmt_snprintf(what, sizeof(what), "pointer arithmetic on 0x%lx overflowed to 0x%lx", base,
		     result);
	ubsan_report(&d->loc, what);
}

struct ubsan_nonnull_arg {
	struct ubsan_loc loc, attr;
	int index;
};

void __ubsan_handle_nonnull_arg(struct ubsan_nonnull_arg *d);
void __ubsan_handle_nonnull_arg(struct ubsan_nonnull_arg *d)
{
	char what[96];

	fmt_snprintf(what, sizeof(what), "null pointer passed as argument %d, declared never null",
		     d->index);
	ubsan_report(&d->loc, what);
}

void __ubsan_handle_nonnull_return_v1(struct ubsan_only_loc *d, struct ubsan_loc *where);
void __ubsan_handle_nonnull_return_v1(struct ubsan_only_loc *d, struct ubsan_loc *where)
{
	ubsan_report(where, "null pointer returned from a function declared never to return null");
}

struct ubsan_builtin {
	struct ubsan_loc loc;
	u8 kind;
};

void __ubsan_handle_invalid_builtin(struct ubsan_builtin *d);
void __ubsan_handle_invalid_builtin(struct ubsan_builtin *d)
{
	ubsan_report(&d->loc, d->kind == 0 ? "__builtin_ctz of zero" : "__builtin_clz of zero");
}
#endif /* KEEL_KSAN */
