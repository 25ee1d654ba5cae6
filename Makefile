# capsim — build, test, benchmark.
#
#   make          build ./capsim
#   make test     install missing Debian packages (as root), build, run the Criterion tests
#   make run      simulate the example shop (scenarios/shop.json); report in out/shop
#   make bench    build and run the benchmarks in bench/
#   make asan     the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz     fuzz the scenario, trace and catalog readers (clang, FUZZ_SECONDS each)
#
# One object list, one %.o rule with -MMD -MP (redis src/Makefile style). Libraries come from
# pkg-config; libcsv ships no .pc file, so it is linked by name.

CC      ?= cc
PKGS    := gsl sqlite3 libcjson nettle
# With gcc, link-time optimisation: the simulation's step loop calls into queueing tables,
# autoscaling and traffic in other files, and inlining across them is worth ~5% of
# `capsim run` (bench/README.md). gcc-ar writes the archive index LTO objects need.
ifneq ($(findstring gcc version,$(shell $(CC) -v 2>&1)),)
LTO     ?= -flto=auto
AR      := gcc-ar
endif
OPT     ?= -O2 $(LTO)
# Profile-guided optimisation, with gcc (PGO=off builds without it): the library is first
# built instrumented in $(B)/pgo-gen, whose capsim runs scripts/pgo-train.sh (the bundled
# examples, ~20 s); the library is then compiled with the profile that wrote, which
# makes `capsim run` ~5% faster on a simulated year (bench/README.md, bench_run). Any change
# to a source file trains again. Both builds compile with -dumpbase SOURCE: gcc names a
# profile, and keys a static function's counts, by that base, which would otherwise be the
# object's path (build/pgo-gen/... against build/...) and match nothing. A function the
# training never ran is compiled as without a profile (-fprofile-partial-training), not for
# size; a file it never linked has no profile at all (-Wno-missing-profile). The
# floating-point code is the same either way: outputs are identical with and without.
ifneq ($(LTO),)
PGO     ?= use
endif
PGO     ?= off
PGO_PROF?= $(CURDIR)/$(B)/pgo-profile
SAN     ?=
WERROR  ?=
CFLAGS  ?= -g
CFLAGS  += $(OPT) $(SAN) $(WERROR) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -pthread \
           -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
           -DCAPSIM_DATA_DIR='"$(CURDIR)/models/data"'
ifeq ($(PGO),gen)
CFLAGS  += -fprofile-generate=$(PGO_PROF) -fprofile-update=prefer-atomic
PGO_CFLAGS = -dumpbase $<
endif
LDFLAGS += $(SAN)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread
TEST_CFLAGS := $(shell pkg-config --cflags criterion 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs criterion 2>/dev/null)

B       ?= build
LIB_SRC := $(wildcard sim/*.c models/*.c reports/*.c)
CLI_SRC := $(wildcard cli/*.c)
TEST_SRC:= $(filter-out tests/fuzz/%,$(wildcard tests/*/*.c))
BENCH_SRC:= $(wildcard bench/*.c)

LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
TEST_OBJ:= $(TEST_SRC:%.c=$(B)/%.o)
BENCHES := $(BENCH_SRC:bench/%.c=$(B)/bench/%)
LIB     := $(B)/libcapsim.a
TESTBIN := $(B)/capsim_tests
DEPS    := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCHES:=.d)

.PHONY: all test check run bench asan fuzz deps clean
all: capsim

capsim: $(B)/capsim
	cp $< $@

$(B)/capsim: $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PGO_CFLAGS) -MMD -MP -c -o $@ $<

ifeq ($(PGO),use)
PGO_STAMP := $(PGO_PROF)/trained
$(LIB_OBJ): PGO_CFLAGS = -fprofile-use=$(PGO_PROF) -fprofile-partial-training -dumpbase $< \
                         -Wno-missing-profile
$(LIB_OBJ): $(PGO_STAMP)

$(PGO_STAMP): $(LIB_SRC) $(CLI_SRC) $(wildcard */*.h) scripts/pgo-train.sh Makefile
	@$(MAKE) --no-print-directory B=$(B)/pgo-gen PGO=gen PGO_PROF=$(PGO_PROF) $(B)/pgo-gen/capsim
	rm -rf $(PGO_PROF)
	sh scripts/pgo-train.sh $(B)/pgo-gen/capsim
	@mkdir -p $(PGO_PROF)
	touch $@
endif

# All test files link into one Criterion binary; the capsim binary is built too because
# the end-to-end tests in tests/cli run it.
$(TESTBIN): $(TEST_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(TEST_LIBS) $(LDLIBS)

$(B)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS)

# deps first, then a fresh make so that pkg-config sees what deps installed.
test: deps
	@$(MAKE) --no-print-directory check

check: $(TESTBIN) $(B)/capsim
	CAPSIM_BIN=$(CURDIR)/$(B)/capsim $(TESTBIN) $(TEST_ARGS)

run: deps
	@$(MAKE) --no-print-directory capsim
	./capsim run scenarios/shop.json -o out/shop

bench: deps
	@$(MAKE) --no-print-directory $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# The sanitizer build lives in its own folder so it never mixes with the normal objects.
asan: deps
	@$(MAKE) --no-print-directory B=build-asan OPT=-O1 PGO=off \
	  SAN="-fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  check

# libFuzzer harnesses (tests/fuzz/fuzz_scenario.c, one binary per input it reads), built
# with clang into their own folder and run one after another from scenarios/, where the
# examples' traces are, each for FUZZ_SECONDS on a copy of its seeds. A crash, a broken
# error contract, a leak or an input slower than 5 s stops it; the input is kept as
# build-fuzz/HARNESS-crash-* (or -timeout-*, -leak-*), HARNESS the reader that took it.
FUZZ_SECONDS ?= 60
FUZZ_INPUTS  := scenario trace catalog
FUZZ_SEEDS_scenario := scenarios/*.json scenarios/broken/*.json
FUZZ_SEEDS_trace    := scenarios/traces/*.csv scenarios/broken/bad-trace.csv
FUZZ_SEEDS_catalog  := models/data/prices.csv scenarios/broken/*catalog*.csv

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_scenario.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -DFUZZ_INPUT_$* -o $@ $< $(LIB) $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang OPT=-O1 PGO=off \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
	  $(FUZZ_INPUTS:%=build-fuzz/fuzz/fuzz_%)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(foreach f,$(FUZZ_INPUTS),mkdir $$tmp/$(f) && cp $(FUZZ_SEEDS_$(f)) $$tmp/$(f) && \
	  (cd scenarios && TMPDIR=$$tmp $(CURDIR)/build-fuzz/fuzz/fuzz_$(f) -timeout=5 \
	   -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(CURDIR)/build-fuzz/$(f)- $$tmp/$(f)) &&) true

deps:
	@sh scripts/deps.sh

clean:
	rm -rf build build-asan build-fuzz capsim

-include $(DEPS)
