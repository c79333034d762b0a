# tests/fuzz/fuzz.mk - coverage-guided fuzzing of Keel's parsers with
# libFuzzer (tests/fuzz/README.md).  Included by the top Makefile, whose
# BUILD it uses; it also works alone (make -f tests/fuzz/fuzz.mk ...,
# as tools/fuzz.sh builds).  Paths are from the top of the tree.
#
#   make fuzz-parsers            every harness, FUZZ_SECONDS (30) each
#                                (`make fuzz` runs this, then the
#                                system-call storm: docs/reliability.md)
#   make fuzz-parsers FUZZ_SECONDS=300   longer
#   make fuzz-parsers FUZZ=elf   one harness (or several: FUZZ="elf mb2")
#   make test-fuzz               the `make test` tier: every corpus and
#                                regression file once, then 5 s each
#
# Each harness is built with the parser sources it fuzzes, as the host
# tests are (HOST_DEPS_*), into $(BUILD)/fuzz/fuzz_NAME.  The harnesses
# need clang with libFuzzer (Debian: clang-14, libclang-rt-14-dev); the
# first step checks for them and says what to install.

BUILD        ?= build
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 30
FUZZ         ?=
# A harness is tests/fuzz/fuzz_NAME.c, a name here and its FUZZ_DEPS_NAME.
FUZZ_NAMES   := mb2 memmap acpi elf cmdline bootmem falloc decode

# -O1 -g: fast enough, and readable stacks.  -fsanitize=fuzzer links
# libFuzzer's main and adds the coverage feedback; address and undefined
# check every access and every operation.  -fno-sanitize-recover: UBSan
# findings abort, so libFuzzer saves them as crashes.  The include paths,
# warnings and KEEL_HOST_TEST are the host tests' (HCFLAGS).
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	       -fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter \
	       -Ikernel/include -Ikernel/arch/x86_64/include -Iinclude -Icommon/include \
	       -Iuser/lib -Itests/fuzz -DKEEL_HOST_TEST

FUZZ_DEPS_mb2     := kernel/boot/multiboot2.c common/string.c
FUZZ_DEPS_memmap  := kernel/mm/memmap.c
FUZZ_DEPS_acpi    := kernel/acpi/acpi.c
FUZZ_DEPS_elf     := common/elf.c
FUZZ_DEPS_cmdline := common/cmdline.c common/string.c
FUZZ_DEPS_bootmem := kernel/mm/bootmem.c kernel/mm/memmap.c
FUZZ_DEPS_falloc  := user/lib/falloc.c
FUZZ_DEPS_decode  := kernel/core/decode.c

FUZZ_BINS    := $(foreach n,$(FUZZ_NAMES),$(BUILD)/fuzz/fuzz_$(n))
FUZZ_HEADERS := $(wildcard kernel/include/keel/*.h) $(wildcard include/abi/*.h) \
		$(wildcard common/include/common/*.h) user/lib/falloc.h tests/fuzz/fuzz.h

.PHONY: fuzz-parsers test-fuzz fuzz-build fuzz-toolchain

# Is clang there, and does it link libFuzzer?  (An order-only prerequisite
# of every harness: checked once per make.)
fuzz-toolchain:
	@tools/fuzz.sh --check-toolchain "$(FUZZ_CC)"

.SECONDEXPANSION:
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_DEPS_$$*) $(FUZZ_HEADERS) tests/fuzz/fuzz.mk \
		| fuzz-toolchain
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_DEPS_$*)

fuzz-build: $(FUZZ_BINS)

fuzz-parsers: fuzz-build
	@tools/fuzz.sh --build $(BUILD) --no-build --seconds $(FUZZ_SECONDS) $(FUZZ)

test-fuzz: fuzz-build
	@tools/fuzz.sh --build $(BUILD) --no-build --seconds 5 --replay $(FUZZ)
