# perfgate: one non-recursive Makefile; every output lives in $(BUILD)/.
#   make run     deps, build, private PostgreSQL when none is configured, migrate, serve
#   make test    deps, build, every suite against a throwaway PostgreSQL
#   make asan    the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make lint    clang-format check + cppcheck
#   make bench   the figures the issues ask for
#   make fuzz    libFuzzer targets (clang), FUZZ_SECONDS each
#   make clean

BUILD    ?= build
CC       ?= cc
PKGS     := libmicrohttpd jansson libpq libprotobuf-c zlib libdeflate libcurl libcrypto
SAN      ?=
OPT      ?= -O2

WARN     := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wvla -Wno-format-nonliteral
INCLUDES := -Iserver/common -Iserver/engine -Idb -Iserver/daemon -Iserver/cli -Itests/lib -I$(BUILD)/gen
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) check 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null)
CFLAGS   += -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) $(SAN) $(INCLUDES) $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += $(SAN)

ifeq ($(SAN),)
else
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
endif

GEN_C    := $(BUILD)/gen/profile.pb-c.c
GEN_H    := $(BUILD)/gen/profile.pb-c.h
MIGRATIONS := $(sort $(wildcard migrations/*.sql))
GEN_MIG  := $(BUILD)/gen/migrations.c
GEN_DOCS := $(BUILD)/gen/docs.c

COMMON_SRC := $(wildcard server/common/*.c)
ENGINE_SRC := $(wildcard server/engine/*.c)
DB_SRC     := $(wildcard db/*.c)
DAEMON_SRC := $(wildcard server/daemon/*.c)
CLI_SRC    := $(wildcard server/cli/*.c)
TLIB_SRC   := $(wildcard tests/lib/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
INTEG_SRC  := $(wildcard tests/integration/test_*.c)
BENCH_SRC  := $(wildcard tests/bench/bench_*.c)
TOOL_SRC   := $(wildcard tests/tools/*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

COMMON_LIB := $(BUILD)/libpfcommon.a
ENGINE_LIB := $(BUILD)/libpfengine.a
DB_LIB     := $(BUILD)/libpfdb.a
DAEMON_LIB := $(BUILD)/libpfdaemon.a
TEST_LIB   := $(BUILD)/libpftest.a
ALL_LIBS   := $(DAEMON_LIB) $(DB_LIB) $(ENGINE_LIB) $(COMMON_LIB)

BIN        := $(BUILD)/perfgate
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
INTEG_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(INTEG_SRC))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
TOOL_BINS  := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))

.PHONY: all deps run test test-suites asan ubsan lint format bench fuzz clean FORCE
.DEFAULT_GOAL := all

all: $(BIN)

deps:
	@scripts/deps.sh

# Generated protobuf-c bindings; only pprof*.c includes them.
$(GEN_C) $(GEN_H) &: proto/profile.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen proto/profile.proto

# $(BUILD)/lists/NAME.list holds the file list LIST_NAME and is rewritten
# only when that list changes: what is built from a set of files depends on
# it too, so removing a file rebuilds it (a removed file leaves no newer
# prerequisite behind; a removed migration stayed embedded and applied, a
# removed source stayed in its archive).
LIST_migrations := $(MIGRATIONS)
LIST_pfcommon := $(COMMON_SRC)
LIST_pfengine := $(ENGINE_SRC)
LIST_pfdb := $(DB_SRC)
LIST_pfdaemon := $(DAEMON_SRC)
LIST_pftest := $(TLIB_SRC)
$(BUILD)/lists/%.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LIST_$*)' | cmp -s - $@ || echo '$(LIST_$*)' > $@
FORCE:

# Migrations and the OpenAPI document are compiled into the binary.
$(GEN_MIG): $(MIGRATIONS) $(BUILD)/lists/migrations.list scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh pf_migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@
$(GEN_DOCS): docs/openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh pf_docs docs/openapi.json > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) -g $(SAN) -I$(BUILD)/gen -Iserver/common $(PKG_CFLAGS) -w -c -o $@ $<

# Every object waits for the generated header (only pprof*.c uses it).
$(BUILD)/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
$(ENGINE_LIB): $(call obj,$(ENGINE_SRC) $(GEN_C))
$(DB_LIB): $(call obj,$(DB_SRC) $(GEN_MIG))
$(DAEMON_LIB): $(call obj,$(DAEMON_SRC) $(GEN_DOCS))
$(TEST_LIB): $(call obj,$(TLIB_SRC))
$(BUILD)/lib%.a: $(BUILD)/lists/%.list
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(BIN): $(call obj,$(CLI_SRC)) $(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $(call obj,$(CLI_SRC)) $(ALL_LIBS) $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_LIB) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_LIB) $(ALL_LIBS) $(CHECK_LIBS) $(PKG_LIBS)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(ALL_LIBS) $(PKG_LIBS)

$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(TEST_LIB) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(TEST_LIB) $(ALL_LIBS) $(PKG_LIBS)

build-tests: $(BIN) $(UNIT_BINS) $(INTEG_BINS) $(TOOL_BINS)

# The suites: unit, then integration and end-to-end against a throwaway
# PostgreSQL started and removed by tests/run.sh.
test-suites: build-tests
	BUILD=$(BUILD) tests/run.sh

test: deps
	$(MAKE) test-suites

run: deps
	$(MAKE) $(BIN)
	BUILD=$(BUILD) scripts/run.sh

asan: deps
	$(MAKE) BUILD=build/asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" test-suites

ubsan: asan

LINT_SRC = $(COMMON_SRC) $(ENGINE_SRC) $(DB_SRC) $(DAEMON_SRC) $(CLI_SRC) $(TLIB_SRC) \
           $(UNIT_SRC) $(INTEG_SRC) $(BENCH_SRC) $(TOOL_SRC) $(FUZZ_SRC) \
           $(wildcard server/*/*.h db/*.h tests/lib/*.h)
lint: deps $(GEN_H)
	clang-format --dry-run --Werror $(LINT_SRC)
	cppcheck --quiet --error-exitcode=1 --inline-suppr --std=c11 \
	  --enable=warning,portability --suppress=missingIncludeSystem \
	  --include=scripts/cppcheck.h \
	  -Iserver/common -Iserver/engine -Idb -Iserver/daemon -I$(BUILD)/gen \
	  $(COMMON_SRC) $(ENGINE_SRC) $(DB_SRC) $(DAEMON_SRC) $(CLI_SRC)

format:
	clang-format -i $(LINT_SRC)

bench: deps
	$(MAKE) $(BIN) $(BENCH_BINS) $(TOOL_BINS)
	BUILD=$(BUILD) tests/bench/run.sh

# libFuzzer targets: the engine and common sources built with clang.
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
               -fno-sanitize-recover=undefined $(INCLUDES) $(PKG_CFLAGS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $(ENGINE_SRC) $(GEN_C)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(COMMON_SRC) $(ENGINE_SRC) $(GEN_C) $(PKG_LIBS)
fuzz: deps
	$(MAKE) $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
	BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
.SECONDARY:
