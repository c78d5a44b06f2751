# evenflow: build, test and demo.  `make V=1` shows the commands.
#
#   make          build/evenflow and the BPF objects
#   make deps     install what is missing (Debian 12 packages)
#   make test     every test; ends with "N passed, N failed"
#   make demo     netns harness, a weighted VIP under real traffic, torn down
#   make demo-cluster  three LBs behind an ECMP router (BIRD); one leaves and returns
#   make bench    benchmarks (never part of make test)
#   make fuzz     the config parser under libFuzzer for FUZZ_TIME seconds (600)
#   make format   clang-format every C file

BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS_COMMON := -O2 -g -Wall -Wextra -Werror -Wshadow -std=gnu11 \
		 -I$(BUILD) -Ibpf -Iuser -Itests/maglev
CFLAGS        += $(CFLAGS_COMMON)
LDLIBS        := -lxdp -lbpf -lelf -lz -ljansson -lm -lncursesw -lmicrohttpd -lpthread -lfyaml -lmnl
BPF_CFLAGS    := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
		 -Wno-unused-parameter -I/usr/include/$(shell uname -m)-linux-gnu -Ibpf
# The unit tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS   := $(wildcard bpf/*.h bpf/lib/*.h)
USER_SRCS  := $(wildcard user/*.c)
USER_HDRS  := $(wildcard user/*.h)
USER_OBJS  := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
# Everything but main.c, linked into the unit tests too.
LIB_OBJS   := $(filter-out $(BUILD)/user/main.o,$(USER_OBJS))
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PKT_SRCS   := $(wildcard tests/packet/*.c)
PKT_BIN    := $(BUILD)/tests/packet_tests

.DELETE_ON_ERROR:
# Keep objects built by pattern rules (make would delete them as intermediates).
.SECONDARY:
.PHONY: all deps test demo demo-cluster bench format clean check-deps fuzz

all: check-deps $(BUILD)/evenflow $(BPF_OBJS)

# A fresh machine has nothing: build targets install what is missing first.
check-deps:
	$(Q)scripts/deps.sh --check >/dev/null 2>&1 || scripts/deps.sh

deps:
	$(Q)scripts/deps.sh

$(BUILD) $(BUILD)/user $(BUILD)/tests $(BUILD)/user-san $(BUILD)/bench:
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/user/%.o: user/%.c $(USER_HDRS) $(BPF_HDRS) $(SKELS) | $(BUILD)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/evenflow: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

# Unit tests: the library objects rebuilt with sanitizers, one binary per file.
SAN_OBJS := $(patsubst $(BUILD)/user/%.o,$(BUILD)/user-san/%.o,$(LIB_OBJS))
$(BUILD)/user-san/%.o: user/%.c $(USER_HDRS) $(BPF_HDRS) $(SKELS) | $(BUILD)/user-san
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(SAN_OBJS) | $(BUILD)/tests
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $^ -o $@ $(LDLIBS) -lcmocka

# Maglev quality measures: asserted by a unit test, printed by the report.
$(BUILD)/tests/quality-san.o: tests/maglev/quality.c tests/maglev/quality.h $(USER_HDRS) | $(BUILD)/tests
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@
$(BUILD)/tests/test_maglev_quality: $(BUILD)/tests/quality-san.o

$(BUILD)/bench/maglev_report: tests/bench/maglev_report.c tests/maglev/quality.c \
		$(BUILD)/user/maglev.o $(BUILD)/user/addr.o | $(BUILD)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ -lm

# Packet tests: the real BPF objects through their skeletons; no user/ code.
$(PKT_BIN): $(PKT_SRCS) $(wildcard tests/packet/*.h) $(BPF_HDRS) $(SKELS) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/packet $(PKT_SRCS) -o $@ -lbpf -lelf -lz -lcmocka

# The announcement table by hand (user/announce.h): the cluster harness's
# stand-in for the daemon until the daemon announces by itself.
ANNOUNCE_TOOL := $(BUILD)/tests/ef-announce
$(ANNOUNCE_TOOL): tests/tools/ef_announce.c $(BUILD)/user/announce.o $(BUILD)/user/addr.o \
		$(BUILD)/user/log.o | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ -lmnl -lxdp -lbpf

test: all $(UNIT_BINS) $(PKT_BIN) $(ANNOUNCE_TOOL)
	$(Q)BUILD=$(BUILD) tests/run.sh

demo: all
	$(Q)BUILD=$(BUILD) scripts/demo.sh

# Three LBs behind an ECMP router announced by BIRD; one leaves and comes back.
demo-cluster: all $(ANNOUNCE_TOOL)
	$(Q)BUILD=$(BUILD) scripts/demo_cluster.sh

bench: all $(BUILD)/bench/maglev_report $(BUILD)/bench/prog_bench
	$(Q)BUILD=$(BUILD) tests/bench/run.sh

# The data-plane micro-benchmark: its wrapper and baselines (bench.bpf.c)
# beside the real LB, configured through the CLI's library.
$(BUILD)/bench/bench.bpf.o: tests/bench/bench.bpf.c | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/bench.skel.h: $(BUILD)/bench/bench.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bench_bpf > $@

$(BUILD)/bench/prog_bench: tests/bench/prog_bench.c $(BUILD)/bench/bench.skel.h $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BUILD)/bench tests/bench/prog_bench.c $(LIB_OBJS) -o $@ $(LDLIBS)

# The configuration parser and validator under libFuzzer (clang, with
# ASan/UBSan); new inputs go to $(BUILD)/fuzz/corpus, the seeds stay in
# tests/fuzz/corpus. Ends non-zero on a crash, leak or sanitizer report.
FUZZ_TIME  ?= 600
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      -Wno-missing-field-initializers
FUZZ_SRCS  := $(filter-out user/main.c,$(USER_SRCS))
$(BUILD)/fuzz:
	$(Q)mkdir -p $@ $@/corpus
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_SRCS) $(USER_HDRS) $(SKELS) | $(BUILD)/fuzz
	$(call msg,CC-FUZZ,$@)
	$(Q)$(CLANG) $(CFLAGS_COMMON) $(FUZZ_FLAGS) tests/fuzz/fuzz_config.c $(FUZZ_SRCS) -o $@ \
		$(LDLIBS)

fuzz: check-deps $(BUILD)/fuzz/fuzz_config
	$(Q)$(BUILD)/fuzz/fuzz_config -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus tests/fuzz/corpus

format:
	$(Q)clang-format -i $(wildcard bpf/*.c bpf/*.h bpf/lib/*.h user/*.c user/*.h tests/*/*.c tests/*/*.h)

clean:
	$(Q)rm -rf $(BUILD)
