# evenflow: build, test and demo.  `make V=1` shows the commands.
#
#   make          build/evenflow and the BPF objects
#   make deps     install every package any target needs (Debian 12)
#   make test     every test; ends with "N passed, N failed"
#   make demo     netns harness, a weighted VIP under real traffic, torn down
#   make demo-cluster  three LBs behind an ECMP router (BIRD); one leaves and returns
#   make bench    benchmarks (never part of make test)
#   make fuzz     the config parser under libFuzzer for FUZZ_TIME seconds (600)
#   make format   clang-format every C file
#   make install  binary, man pages, completion, units, example configuration,
#                 dashboard and alert rules (PREFIX=/usr/local, DESTDIR)
#   make deb      the Debian package, into $(BUILD)/deb

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

# The release, defined once (the file VERSION); `evenflow --version` and
# /metrics show it.
VERSION       := $(shell cat VERSION)
CFLAGS_COMMON := -O2 -g -Wall -Wextra -Werror -Wshadow -std=gnu11 \
		 -I$(BUILD) -Ibpf -Iuser -Itests/maglev -DEF_VERSION='"$(VERSION)"'
CFLAGS        += $(CFLAGS_COMMON)
DEPFLAGS       = -MMD -MP
BPF_CFLAGS    := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
		 -Wno-unused-parameter -I/usr/include/$(shell uname -m)-linux-gnu -Ibpf
# The unit tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_FLAGS     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# What each layer of user/ links (README, "How the pieces fit"):
#   util, dp, core  libevenflow.a: the model, the commit, the data-plane access
#   daemon          the daemon's loop, health checks, HTTP endpoint, the
#                   announcement table (libmnl), the siblings' pages (libcurl)
#   cli             main, commands, output, top
LIB_LDLIBS    := -lxdp -lbpf -lelf -lz -lfyaml -lm
DAEMON_LDLIBS := -lmicrohttpd -lmnl -lcurl -lpthread
CLI_LDLIBS    := -ljansson -lncursesw
LDLIBS        := $(CLI_LDLIBS) $(DAEMON_LDLIBS) $(LIB_LDLIBS)

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS      := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
LIB_SRCS   := $(wildcard user/util/*.c user/dp/*.c user/core/*.c)
DAEMON_SRCS:= $(wildcard user/daemon/*.c)
CLI_SRCS   := $(wildcard user/cli/*.c)
obj         = $(patsubst user/%.c,$(BUILD)/obj/%.o,$(1))
san_obj     = $(patsubst user/%.c,$(BUILD)/obj-san/%.o,$(1))
LIB_OBJS   := $(call obj,$(LIB_SRCS))
LIB        := $(BUILD)/libevenflow.a
LIB_SAN    := $(BUILD)/libevenflow-san.a
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PKT_SRCS   := $(wildcard tests/packet/*.c)
PKT_BIN    := $(BUILD)/tests/packet_tests

.DELETE_ON_ERROR:
# Keep objects built by pattern rules (make would delete them as intermediates).
.SECONDARY:
DEPS_SETS  := build test demo demo-cluster bench fuzz deb
.PHONY: all deps test demo demo-cluster bench format clean fuzz install uninstall deb \
	$(addprefix deps-,$(DEPS_SETS))

MANS       := $(BUILD)/man/evenflow.8 $(BUILD)/man/evenflow.yaml.5

all: deps-build $(BUILD)/evenflow $(BPF_OBJS) $(MANS)

# A fresh machine has nothing: each target installs its own set first
# (scripts/deps.sh): plain make the build set only, so that building on a
# production LB never installs servers; test, demo and bench theirs.
$(addprefix deps-,$(DEPS_SETS)):
	$(Q)scripts/deps.sh $(@:deps-%=%)

deps:
	$(Q)scripts/deps.sh all

$(BUILD) $(BUILD)/tests $(BUILD)/bench:
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

# User-space objects; headers are tracked by -MMD (the skeletons are
# generated, so every object waits for them).
$(BUILD)/obj/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/obj-san/%.o: user/%.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -c $< -o $@

# What shows the release is rebuilt when it changes.
$(call obj,user/cli/main.c user/core/metrics.c) $(call san_obj,user/core/metrics.c): VERSION

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIB_SAN): $(call san_obj,$(LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/evenflow: $(call obj,$(CLI_SRCS) $(DAEMON_SRCS)) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# The manual pages, from the tables the binary runs on (docs/man/docgen.c
# linked with the CLI's objects but main.c) filling the scdoc templates.
DOCGEN_OBJS := $(call obj,$(filter-out user/cli/main.c,$(CLI_SRCS)) $(DAEMON_SRCS)) $(LIB)
$(BUILD)/docgen: docs/man/docgen.c $(DOCGEN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -MF $@.d $^ -o $@ $(LDLIBS)

$(BUILD)/man/%.scd: docs/man/%.scd.in $(BUILD)/docgen
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BUILD)/docgen $< > $@

$(BUILD)/man/%: $(BUILD)/man/%.scd
	$(call msg,SCDOC,$@)
	$(Q)scdoc < $< > $@

# Unit tests, under sanitizers: each links the library and what it tests
# beyond it (objects of the daemon or the CLI, named below, and
# TEST_LIBS_<name>: the libraries those need).
$(BUILD)/tests/test_cli: $(call san_obj,user/cli/cli.c user/cli/opts.c user/cli/output.c)
TEST_LIBS_test_cli := -ljansson
$(BUILD)/tests/test_health: $(call san_obj,user/daemon/health.c)
$(BUILD)/tests/test_announce: $(call san_obj,user/daemon/announce.c)
$(BUILD)/tests/test_announce_rule: $(call san_obj,user/daemon/announce_rule.c)
TEST_LIBS_test_announce := -lmnl
$(BUILD)/tests/%.o: tests/unit/%.c | $(SKELS) $(BUILD)/tests
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIB_SAN)
	$(call msg,LINK-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(filter %.o,$^) $(LIB_SAN) -o $@ $(TEST_LIBS_$(@F)) \
		$(LIB_LDLIBS) -lcmocka

# Maglev quality measures: asserted by a unit test, printed by the report.
$(BUILD)/tests/quality-san.o: tests/maglev/quality.c | $(BUILD)/tests
	$(call msg,CC-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/tests/test_maglev_quality: $(BUILD)/tests/quality-san.o

$(BUILD)/bench/maglev_report: tests/bench/maglev_report.c tests/maglev/quality.c $(LIB) \
		| $(BUILD)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LIB_LDLIBS)

# Packet tests: the real BPF objects through their skeletons, configured
# through the library's commit path where a case needs it.
$(PKT_BIN): $(PKT_SRCS) $(wildcard tests/packet/*.h) $(SKELS) $(LIB) | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -MF $@.d -Itests/packet $(PKT_SRCS) $(LIB) -o $@ \
		$(LIB_LDLIBS) -lcmocka

# The bench's live-frames generator, which the flood story sends floods with.
GEN_BIN    := $(BUILD)/tests/gen
$(BUILD)/tests/gen.bpf.o: tests/bench/e2e/gen.bpf.c tests/bench/e2e/gen.h | $(BUILD)/tests
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@
$(BUILD)/tests/gen.skel.h: $(BUILD)/tests/gen.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name gen_bpf > $@
$(GEN_BIN): tests/bench/e2e/gen.c tests/bench/e2e/gen.h $(BUILD)/tests/gen.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BUILD)/tests -Itests/bench/e2e $< -o $@ $(LIB_LDLIBS)

test: deps-test all $(UNIT_BINS) $(PKT_BIN) $(GEN_BIN)
	$(Q)BUILD=$(BUILD) tests/run.sh

demo: deps-demo all
	$(Q)BUILD=$(BUILD) scripts/demo.sh

# Three LBs behind an ECMP router announced by BIRD; one leaves and comes back.
demo-cluster: deps-demo-cluster all
	$(Q)BUILD=$(BUILD) scripts/demo_cluster.sh

bench: deps-bench all $(BUILD)/bench/maglev_report $(BUILD)/bench/prog_bench
	$(Q)BUILD=$(BUILD) tests/bench/run.sh

# The data-plane micro-benchmark: its wrapper and baselines (bench.bpf.c)
# beside the real LB, configured through the CLI's library.
$(BUILD)/bench/bench.bpf.o: tests/bench/bench.bpf.c | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/bench/bench.skel.h: $(BUILD)/bench/bench.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name bench_bpf > $@

$(BUILD)/bench/prog_bench: tests/bench/prog_bench.c $(BUILD)/bench/bench.skel.h $(LIB)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -I$(BUILD)/bench tests/bench/prog_bench.c $(LIB) -o $@ \
		$(LIB_LDLIBS)

# The configuration parser and validator under libFuzzer (clang, with
# ASan/UBSan); new inputs go to $(BUILD)/fuzz/corpus, the seeds stay in
# tests/fuzz/corpus. Ends non-zero on a crash, leak or sanitizer report.
FUZZ_TIME  ?= 600
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      -Wno-missing-field-initializers
FUZZ_SRCS  := $(LIB_SRCS)
$(BUILD)/fuzz:
	$(Q)mkdir -p $@ $@/corpus
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(FUZZ_SRCS) $(SKELS) | $(BUILD)/fuzz
	$(call msg,CC-FUZZ,$@)
	$(Q)$(CLANG) $(CFLAGS_COMMON) $(FUZZ_FLAGS) $(DEPFLAGS) -MF $@.d tests/fuzz/fuzz_config.c \
		$(FUZZ_SRCS) -o $@ $(LIB_LDLIBS)

fuzz: deps-fuzz $(BUILD)/fuzz/fuzz_config
	$(Q)$(BUILD)/fuzz/fuzz_config -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus tests/fuzz/corpus

# Installation, GNU style: PREFIX, DESTDIR and the directories below. The
# BPF programs are inside the binary (libbpf skeletons): no object file to
# install. The configuration goes to $(SYSCONFDIR)/evenflow (/etc, whatever
# the prefix) and an existing one is never overwritten; the units get the
# binary's installed path.
PREFIX        ?= /usr/local
SBINDIR       ?= $(PREFIX)/sbin
DATADIR       ?= $(PREFIX)/share
MANDIR        ?= $(DATADIR)/man
DOCDIR        ?= $(DATADIR)/doc/evenflow
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
UNITDIR       ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR    ?= /etc
UNITS         := $(wildcard contrib/*.service)
SHARED        := $(wildcard contrib/*.json contrib/*.rules.yml)

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 755 $(BUILD)/evenflow $(DESTDIR)$(SBINDIR)/evenflow
	$(Q)install -D -m 644 $(BUILD)/man/evenflow.8 $(DESTDIR)$(MANDIR)/man8/evenflow.8
	$(Q)install -D -m 644 $(BUILD)/man/evenflow.yaml.5 $(DESTDIR)$(MANDIR)/man5/evenflow.yaml.5
	$(Q)install -D -m 644 contrib/evenflow.bash-completion $(DESTDIR)$(COMPLETIONDIR)/evenflow
	$(Q)install -D -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(Q)install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/evenflow
	$(Q)for u in $(UNITS); do \
		sed -e 's|/usr/local/sbin/evenflow|$(SBINDIR)/evenflow|g' \
		    -e 's|/usr/local/share/doc/evenflow|$(DOCDIR)|g' \
		    -e 's|/etc/evenflow|$(SYSCONFDIR)/evenflow|g' $$u \
		    > $(DESTDIR)$(UNITDIR)/$${u##*/} && chmod 644 $(DESTDIR)$(UNITDIR)/$${u##*/}; \
	done
	$(Q)$(if $(SHARED),install -m 644 $(SHARED) $(DESTDIR)$(DATADIR)/evenflow/)
	$(Q)if [ -e $(DESTDIR)$(SYSCONFDIR)/evenflow/evenflow.yaml ]; then \
		echo "  KEEP     $(DESTDIR)$(SYSCONFDIR)/evenflow/evenflow.yaml (exists)"; \
	else \
		install -D -m 644 contrib/evenflow.yaml $(DESTDIR)$(SYSCONFDIR)/evenflow/evenflow.yaml; \
	fi

# Everything install put there but the configuration (it may have been edited).
uninstall:
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/evenflow $(DESTDIR)$(MANDIR)/man8/evenflow.8 \
		$(DESTDIR)$(MANDIR)/man5/evenflow.yaml.5 $(DESTDIR)$(COMPLETIONDIR)/evenflow \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNITS)))
	$(Q)rm -rf $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DATADIR)/evenflow

# The Debian package (debian/), built with debhelper from a copy of this
# tree (build directories and .git left out) in $(BUILD)/deb, where the .deb
# lands; then lintian. Its version is debian/changelog's, which must be
# VERSION's (tests/static/test_deb.sh).
DEB_VERSION := $(shell dpkg-parsechangelog -S Version 2>/dev/null)
deb: deps-deb
	$(Q)test "$(DEB_VERSION)" = "$(VERSION)" || \
		{ echo "debian/changelog says $(DEB_VERSION), VERSION $(VERSION)"; exit 1; }
	$(call msg,DEB,$(BUILD)/deb/evenflow_$(VERSION)_*.deb)
	$(Q)rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/evenflow-$(VERSION)
	$(Q)tar -c --exclude='./build*' --exclude=./.git --exclude=./debian/build . | \
		tar -x -C $(BUILD)/deb/evenflow-$(VERSION)
	$(Q)cd $(BUILD)/deb/evenflow-$(VERSION) && \
		dpkg-buildpackage -b -us -uc > ../dpkg-buildpackage.log 2>&1 || \
		{ tail -30 ../dpkg-buildpackage.log; exit 1; }
	$(Q)lintian --fail-on error $(BUILD)/deb/evenflow_$(VERSION)_*.changes

format:
	$(Q)clang-format -i $(wildcard bpf/*.c bpf/*.h bpf/lib/*.h user/*/*.c user/*/*.h tests/*/*.c \
		tests/*/*.h docs/man/*.c)

clean:
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
