# Keel - build, run and test.  `make help` lists the targets.
#
# The kernel is built twice: the first link gives the addresses of all
# functions, tools/ksyms.py turns them into a symbol table, and the second
# link adds that table (placed last in rodata, so no function moves; the
# build checks it).

.DEFAULT_GOAL := all

BUILD    := build
CC       := gcc
LD       := ld
NM       := nm
PYTHON   := python3
CMDLINE  ?=
QEMU     := qemu-system-x86_64

# Freestanding kernel code: no libc or host headers (only the compiler's own
# stddef/stdint/stdarg), the kernel code model (all symbols in the top 2 GB),
# no red zone (interrupts push onto the stack below RSP), no SSE/x87
# (the kernel never saves FPU state), frame pointers kept for backtraces.
# (Recursive `=`, not `:=`: the compiler's include directory is asked for
# when first used, after tools/setup.sh may have installed the compiler.)
KCFLAGS   = -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	    -isystem $(shell $(CC) -print-file-name=include) \
	    -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	    -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 -mno-80387 \
	    -fno-stack-protector -fno-omit-frame-pointer -fno-common \
	    -fno-strict-aliasing -fno-asynchronous-unwind-tables \
	    -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
	    -Wno-unused-parameter -Wframe-larger-than=1024 \
	    -Ikernel/include -Ikernel/arch/x86_64/include -Iinclude -Icommon/include -MMD -MP
# -Wframe-larger-than: the stack guard is one page; a frame larger than
# that could step over it.
# The sanitizer build (`make ksan`, into build/ksan): every undefined
# operation checked, reported by kernel/lib/ubsan.c (a panic in test
# boots), and freed kernel objects checked for writes when made again
# (kernel/mm/kmem.c).  docs/reliability.md.
ifeq ($(KSAN),1)
KCFLAGS  += -fsanitize=undefined -DKEEL_KSAN
# The runtime itself is not checked: a failing check there would recurse.
$(BUILD)/kernel/lib/ubsan.c.o: KCFLAGS += -fno-sanitize=undefined
endif
KASFLAGS  = $(filter-out -std=gnu11 -fsanitize=undefined,$(KCFLAGS)) -D__ASSEMBLER__
# -n: no page alignment of the file (GRUB reads the Multiboot2 header in the
# first 32 KiB); max-page-size 4K: sections are page-aligned, no more.
KLDFLAGS := -n -nostdlib -z max-page-size=0x1000 -z noexecstack

# common/: the code the kernel, the user library and the host tests share
# (each builds it with its own flags).  memory.c is the memory functions under
# their standard names, which the host tests take from the C library.
COMMON_SRC := $(sort $(wildcard common/*.c))

KSRC_C   := $(shell find kernel -name '*.c' | sort) $(COMMON_SRC)
KSRC_S   := $(shell find kernel -name '*.S' ! -name 'linker.ld.S' | sort)
KOBJ     := $(patsubst %,$(BUILD)/%.o,$(KSRC_C) $(KSRC_S))

# User programs: freestanding, static, against include/abi, common/ and
# user/lib only.  Built without SSE/x87 code, though the kernel keeps each
# thread's SSE state (coretest checks that with hand-written SSE code).
UCFLAGS   = -std=gnu11 -O2 -g -ffreestanding -nostdinc \
	    -isystem $(shell $(CC) -print-file-name=include) \
	    -fno-pic -fno-pie -mgeneral-regs-only -fno-stack-protector \
	    -fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
	    -Iinclude -Icommon/include -Iuser/lib -MMD -MP
# Every directory of user/ but lib is a program, and a boot module of the
# same name: a new program is a new directory (docs/writing-programs.md).
# The first module is the first program: the pager, then init (make run).
# tools/boottest.py puts coretest first for the kernel-core test boots.
USER_DIRS  := $(patsubst user/%/,%,$(wildcard user/*/))
USER_PROGS := pager init $(sort $(filter-out pager init lib,$(USER_DIRS)))
AR         := ar
# The library is an archive, so each program links only what it uses.
USER_LIB_SRC := $(filter-out user/lib/crt0.S,$(sort $(wildcard user/lib/*.c user/lib/*.S)))
USER_LIB_OBJ := $(patsubst %,$(BUILD)/%.o,$(USER_LIB_SRC)) \
		$(patsubst common/%,$(BUILD)/user/common/common-%.o,$(COMMON_SRC))
USER_LIB     := $(BUILD)/user/libkeel.a
USER_CRT0    := $(BUILD)/user/lib/crt0.S.o

$(BUILD)/user/%.c.o: user/%.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(UCFLAGS) -c $< -o $@

# common/ built for user programs, into the library (as common-*.o: an
# archive keeps only base names, and user/lib has files of the same names).
$(BUILD)/user/common/common-%.c.o: common/%.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $< (user)"
	@$(CC) $(UCFLAGS) -c $< -o $@

$(BUILD)/user/%.S.o: user/%.S Makefile
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(UCFLAGS) -D__ASSEMBLER__ -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# User linker scripts go through cpp, so they take their addresses from
# include/abi/uspace.h (as the kernel's does from layout.h).
$(BUILD)/user/%.ld: user/%.ld.S Makefile
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLER__ -Iinclude -MMD -MP -MT $@ -MF $@.d $< -o $@

# A program is every .c and .S file in user/<name>/, with crt0 and the library,
# laid out by user/<name>/<name>.ld.S if it has one (pfar), else user/user.ld.S.
user_objs = $(patsubst %,$(BUILD)/%.o,$(sort $(filter-out %.ld.S,$(wildcard user/$(1)/*.c user/$(1)/*.S))))
user_ld = $(if $(wildcard user/$(1)/$(1).ld.S),$(BUILD)/user/$(1)/$(1).ld,$(BUILD)/user/user.ld)
define user_prog
$(BUILD)/user/$(1).elf: $(call user_objs,$(1)) $(USER_CRT0) $(USER_LIB) $(call user_ld,$(1))
	$$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T $(call user_ld,$(1)) \
		-o $$@ $(USER_CRT0) $(call user_objs,$(1)) $(USER_LIB)
endef
$(foreach p,$(filter-out unt,$(USER_PROGS)),$(eval $(call user_prog,$(p))))

# unt is hand-placed assembly with a layout of its own.
$(BUILD)/user/unt.elf: $(BUILD)/user/unt/unt.S.o $(BUILD)/user/unt/unt.ld
	$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T $(BUILD)/user/unt/unt.ld \
		-o $@ $<

USER_ELFS := $(foreach p,$(USER_PROGS),$(BUILD)/user/$(p).elf)

# The module order, for tools/boottest.py (the first module is the pager).
# (Written again whenever the list changes: a new directory of user/ adds one.)
$(BUILD)/user/modules: FORCE
	@mkdir -p $(dir $@)
	@echo $(USER_PROGS) | cmp -s - $@ || echo $(USER_PROGS) > $@

# Host unit tests: the pure logic of the kernel and the pager, built for Linux with cmocka,
# AddressSanitizer and UBSan.
HCFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -Ikernel/include -Ikernel/arch/x86_64/include -Iinclude -Icommon/include -Iuser/lib \
	    -DKEEL_HOST_TEST
LAYOUT_DOCS := README.md docs/memory-layout.md
HOST_TESTS := layout pagetable string fmt cmdline multiboot2 memmap range bootmem acpi elf frames falloc decode
HOST_DEPS_layout     := kernel/lib/layout.c
HOST_DEPS_pagetable  := kernel/arch/x86_64/pagetable.c
HOST_DEPS_string     := common/string.c
HOST_DEPS_fmt        := common/fmt.c
HOST_DEPS_cmdline    := common/cmdline.c common/string.c
HOST_DEPS_multiboot2 := kernel/boot/multiboot2.c common/string.c
HOST_DEPS_memmap     := kernel/mm/memmap.c
HOST_DEPS_range      :=
HOST_DEPS_bootmem    := kernel/mm/bootmem.c kernel/mm/memmap.c
HOST_DEPS_acpi       := kernel/acpi/acpi.c
HOST_DEPS_elf        := common/elf.c
HOST_DEPS_frames     := kernel/mm/frames.c
HOST_DEPS_falloc     := user/lib/falloc.c
HOST_DEPS_decode     := kernel/core/decode.c

.SECONDEXPANSION:

.PHONY: FORCE all kernel ksan iso run debug test bench test-host test-boot test-boot-ksan test-shell \
	fuzz fuzz-syscalls docs docs-check \
	format-check \
	setup clean help compile_commands.json
all: iso

help:
	@echo "make            build build/keel.elf and build/keel.iso"
	@echo "make run        boot the ISO in QEMU, serial console on this terminal"
	@echo "make debug      the same, stopped for GDB (gdb -x tools/gdbinit)"
	@echo "make test       host unit tests, docs check and the QEMU boot matrix"
	@echo "make docs       regenerate the layout tables in README.md and docs/memory-layout.md"
	@echo "make fuzz       libFuzzer on every parser, then a million-call system-call storm"
	@echo "make ksan       the kernel with UBSan and poison checks, in build/ksan"

setup:
	@tools/setup.sh run

kernel: $(BUILD)/keel.elf

# The sanitizer build's kernel (its own build directory; the user
# programs are the normal ones).
ksan:
	@$(MAKE) --no-print-directory KSAN=1 BUILD=build/ksan build/ksan/keel.elf
iso: $(BUILD)/keel.iso

# Everything is rebuilt when the Makefile (and so a flag) changes.
$(BUILD)/%.c.o: %.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KCFLAGS) -c $< -o $@

# The IPC fast path is called only from syscall_entry, which saved every
# user register before and restores every one after (or hands the saved
# frame to the general path): nothing the caller holds lives in a
# register across the call.  So in that one file RBX and R12-R15 are
# caller-saved, and the fast path pushes and pops none of them (the
# functions it calls still keep them, which costs it nothing).
$(BUILD)/kernel/core/fastpath.c.o: KCFLAGS += -fcall-used-rbx -fcall-used-r12 \
	-fcall-used-r13 -fcall-used-r14 -fcall-used-r15

$(BUILD)/%.S.o: %.S Makefile
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/linker.ld: kernel/arch/x86_64/linker.ld.S kernel/include/keel/layout.h include/abi/page.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLER__ -Ikernel/include -Iinclude $< -o $@

# Pass 1: an empty symbol table.
$(BUILD)/ksyms0.S: tools/ksyms.py
	@mkdir -p $(dir $@)
	: > $(BUILD)/empty.nm
	$(PYTHON) tools/ksyms.py $(BUILD)/empty.nm > $@

$(BUILD)/%.S.o: $(BUILD)/%.S
	$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/keel.stage1.elf: $(KOBJ) $(BUILD)/ksyms0.S.o $(BUILD)/linker.ld
	$(LD) $(KLDFLAGS) -T $(BUILD)/linker.ld -o $@ $(KOBJ) $(BUILD)/ksyms0.S.o

# Pass 2: the real table; then check that no function moved.
$(BUILD)/ksyms.S: $(BUILD)/keel.stage1.elf tools/ksyms.py
	$(NM) -n -S --defined-only $< > $(BUILD)/stage1.nm
	$(PYTHON) tools/ksyms.py $(BUILD)/stage1.nm > $@

$(BUILD)/keel.elf: $(BUILD)/keel.stage1.elf $(BUILD)/ksyms.S.o
	$(LD) $(KLDFLAGS) -T $(BUILD)/linker.ld -o $@ $(KOBJ) $(BUILD)/ksyms.S.o
	@$(NM) -n --defined-only $(BUILD)/keel.stage1.elf | grep ' [tTwW] ' > $(BUILD)/text1.nm
	@$(NM) -n --defined-only $@ | grep ' [tTwW] ' > $(BUILD)/text2.nm
	@cmp -s $(BUILD)/text1.nm $(BUILD)/text2.nm || \
		{ echo "error: functions moved between link passes"; rm -f $@; exit 1; }

# The command line baked into the ISO (`make run CMDLINE="crash=stack"`):
# the ISO is rebuilt when it changes.
$(BUILD)/cmdline: FORCE
	@mkdir -p $(dir $@)
	@echo "$(CMDLINE)" | cmp -s - $@ || echo "$(CMDLINE)" > $@

$(BUILD)/keel.iso: $(BUILD)/keel.elf tools/mkiso.sh $(BUILD)/cmdline $(USER_ELFS)
	tools/mkiso.sh $< $@ "$(CMDLINE)" $(USER_ELFS)

# run and debug install what is missing first, then build in a new make
# (which sees the freshly installed compiler).
run: setup
	@$(MAKE) --no-print-directory iso
	tools/qemu.sh $(BUILD)/keel.iso

debug:
	@tools/setup.sh debug
	@$(MAKE) --no-print-directory iso
	@echo "QEMU waits for GDB on :1234; in another terminal: gdb -x tools/gdbinit"
	tools/qemu.sh $(BUILD)/keel.iso -s -S

FORCE:

# ---- Tests ------------------------------------------------------------------

$(BUILD)/host/test_%: tests/host/test_%.c $(wildcard kernel/include/keel/*.h) $(wildcard include/abi/*.h) \
		$(wildcard common/include/common/*.h) \
		$(wildcard kernel/arch/x86_64/include/arch/*.h) $$(HOST_DEPS_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(HCFLAGS) -o $@ $< $(HOST_DEPS_$*) -lcmocka

test-host: $(foreach t,$(HOST_TESTS),$(BUILD)/host/test_$(t))
	@tools/run-host-tests.sh $^

$(BUILD)/host/gen_layout_doc: tools/gen_layout_doc.c kernel/lib/layout.c kernel/include/keel/layout.h \
		include/abi/page.h include/abi/uspace.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -Wall -Werror -Ikernel/include -Iinclude -o $@ tools/gen_layout_doc.c kernel/lib/layout.c

docs: $(BUILD)/host/gen_layout_doc
	$(PYTHON) tools/layout_doc.py --write $< $(LAYOUT_DOCS)

docs-check: $(BUILD)/host/gen_layout_doc
	$(PYTHON) tools/layout_doc.py --check $< $(LAYOUT_DOCS)

format-check:
	@tools/format-check.sh

# --keep: run the whole matrix even after a failure.
test-boot: iso $(BUILD)/host/gen_layout_doc $(USER_ELFS) $(BUILD)/user/modules
	$(PYTHON) tools/boottest.py --keep --kernel $(BUILD)/keel.elf

# The same matrix on the sanitizer build, with its own configs (a caught
# undefined operation, a write after free), logs in build/boottest-ksan.
test-boot-ksan: ksan $(BUILD)/host/gen_layout_doc $(USER_ELFS) $(BUILD)/user/modules
	$(PYTHON) tools/boottest.py --keep --ksan --kernel build/ksan/keel.elf --out build/boottest-ksan

# Fuzzing (docs/reliability.md): the parsers with libFuzzer
# (tests/fuzz/fuzz.mk: fuzz-parsers, and test-fuzz, the make-test tier),
# then the system-call storm of a million calls in one boot.
include tests/fuzz/fuzz.mk

FUZZ_CALLS ?= 1000000
fuzz: fuzz-parsers fuzz-syscalls

fuzz-syscalls: iso $(BUILD)/host/gen_layout_doc $(USER_ELFS) $(BUILD)/user/modules
	$(PYTHON) tools/boottest.py --fuzz-calls $(FUZZ_CALLS) --kernel $(BUILD)/keel.elf; \
	rc=$$?; grep -a -h -E '^\[coretest\] sysfuzz: ([0-9]+ calls by|free memory)' \
		$(BUILD)/boottest/sysfuzz-$(FUZZ_CALLS)-calls-*.log; exit $$rc

# The shell driven over the serial line, end to end (tools/shelltest.py).
test-shell: iso
	$(PYTHON) tools/shelltest.py --matrix

# Keel's and Linux's costs side by side under QEMU -icount, into
# docs/benchmarks.md (tools/bench.py says how).
bench:
	@tools/setup.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/user/modules
	$(PYTHON) tools/bench.py

test:
	@tools/setup.sh test
	@$(MAKE) --no-print-directory all
	@tools/test-all.sh

compile_commands.json:
	bear -- $(MAKE) -B kernel

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
