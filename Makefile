# etoolbox -- the developer interface. See README.md.
#
#   make                 build build/etoolbox
#   make packages        install what is missing, build, and build the
#                        e-Toolbox packages into dist/
#   make test            run every test (installs what the tests need)
#   make asan            the C test suites under ASan+UBSan
#   make install         install the binary and the man page (PREFIX)

CC      ?= cc
PREFIX  ?= /usr/local
PKGS    := libzip libxml-2.0 jansson yaml-0.1 libcmark libdeflate zlib
PKGS    += sqlite3 libcrypto
# opened with dlopen by the commands that need them (src/dynlib.h): linked,
# they doubled the start-up time of every command
DLPKGS  := libcurl libmicrohttpd
soname   = $(shell objdump -p $$(pkg-config --variable=libdir $(1))/$(2).so 2>/dev/null | awk '$$1 == "SONAME" {print $$2}')
CURL_SONAME := $(or $(call soname,libcurl,libcurl),libcurl.so.4)
MHD_SONAME  := $(or $(call soname,libmicrohttpd,libmicrohttpd),libmicrohttpd.so.12)
VERSION := 0.1.0

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-format-nonliteral
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -DET_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
             $(shell pkg-config --cflags $(PKGS) $(DLPKGS) 2>/dev/null) -Isrc \
             -DET_CURL_SONAME='"$(CURL_SONAME)"' -DET_MHD_SONAME='"$(MHD_SONAME)"'
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -pthread

B       ?= build
CORE    := buf diag util source ydoc course parse check markdown escape html \
           manifest xsd scormcheck zipw zipcheck package embed
CORE    += sha1 xapi_uuid xapi_validate xapi_reader xapi_csv xapi_auth \
           lrsclient journal dynlib
CORE    += lrs_codec lrs_keys lrs_statement lrs_store lrs_query lrs_state \
           lrs_multipart lrs_sig lrs_stmts lrs_api lrs_http lrs_pack lrs_pool lrs_arena
CLI     := main cmd_build cmd_check
CLI     += cmd_send cmd_statements
CLI     += cmd_lrs
CORE_O   = $(CORE:%=$(B)/obj/%.o) $(B)/obj/embed_data.o
CLI_O    = $(CLI:%=$(B)/obj/%.o)

EMBED := runtime/etoolbox.js=src/runtime/etoolbox.js \
         runtime/xapi.js=src/runtime/xapi.js \
         runtime/etoolbox.css=src/runtime/etoolbox.css \
         schemas/adlcp_rootv1p2.xsd=schemas/scorm12/adlcp_rootv1p2.xsd \
         schemas/ims_xml.xsd=schemas/scorm12/ims_xml.xsd \
         schemas/imscp_rootv1p1p2.xsd=schemas/scorm12/imscp_rootv1p1p2.xsd \
         schemas/imsmd_rootv1p2p1.xsd=schemas/scorm12/imsmd_rootv1p2p1.xsd \
         schemas/scorm12_validate.xsd=schemas/scorm12/scorm12_validate.xsd
EMBED_FILES := $(foreach p,$(EMBED),$(word 2,$(subst =, ,$(p))))

COURSE  := content/jmdi-etoolbox
# byte-identical rebuilds from any clone: the last commit's time
SDE     := $(shell git log -1 --format=%ct 2>/dev/null)

.PHONY: all packages deps test unit asan install clean format lint fuzz fuzz-run

all: $(B)/etoolbox $(B)/unit-tests $(B)/fuzz-replay

$(B)/obj/%.o: src/%.c $(wildcard src/*.h) | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/gen/embed_data.c: tools/embed.sh $(EMBED_FILES) | $(B)/gen
	tools/embed.sh $@ $(EMBED)

$(B)/obj/embed_data.o: $(B)/gen/embed_data.c src/embed.h | $(B)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libetcore.a: $(CORE_O)
	rm -f $@ && ar rcs $@ $^

$(B)/etoolbox: $(CLI_O) $(B)/libetcore.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_O) $(B)/libetcore.a $(LIBS)

$(B)/obj $(B)/gen:
	mkdir -p $@

deps:
	tools/install-deps.sh

packages: deps
	$(MAKE) $(B)/etoolbox
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$(SDE)} $(B)/etoolbox build -o dist $(COURSE)

test: deps
	tools/run-tests.sh

# clang: its UBSan also checks the nonnull arguments of libc calls (memcpy
# with a NULL source and length 0), which GCC's does not
asan:
	$(MAKE) B=build/asan CC=clang CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		build/asan/etoolbox build/asan/unit-tests build/asan/fuzz-replay

install: $(B)/etoolbox
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(B)/etoolbox $(DESTDIR)$(PREFIX)/bin/etoolbox
	install -m 0644 docs/etoolbox.1 $(DESTDIR)$(PREFIX)/share/man/man1/etoolbox.1

clean:
	rm -rf build

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c

lint:
	tools/check-src.sh

# unit tests: one binary, one group per core module
UNIT_O = $(patsubst tests/unit/%.c,$(B)/obj/unit/%.o,$(wildcard tests/unit/*.c))

$(B)/obj/unit/%.o: tests/unit/%.c tests/unit/harness.h $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

$(B)/unit-tests: $(UNIT_O) $(B)/libetcore.a
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_O) $(B)/libetcore.a $(LIBS)

unit: $(B)/unit-tests
	$(B)/unit-tests

# fuzzing: the replay driver runs in 'make test'; 'make fuzz' builds the
# libFuzzer binaries with clang (FUZZ_TIME seconds each with fuzz-run);
# undefined behaviour stops a run with a crash file, like a memory error
FUZZ_O = $(B)/obj/fuzz/fuzz_targets.o

$(B)/obj/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -c -o $@ $<

$(B)/fuzz-replay: $(B)/obj/fuzz/replay.o $(FUZZ_O) $(B)/libetcore.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS)

FUZZ_TIME ?= 60
fuzz:
	$(MAKE) B=build/fuzz CC=clang CFLAGS='-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined' build/fuzz/libetcore.a build/fuzz/obj/fuzz/fuzz_targets.o
	for t in yaml manifest markdown zip xapi lrs_reply journal lrs; do \
		clang $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o build/fuzz/fuzz_$$t \
			tests/fuzz/libfuzzer_$$t.c build/fuzz/obj/fuzz/fuzz_targets.o build/fuzz/libetcore.a $(LIBS) || exit 1; \
	done

fuzz-run: fuzz
	for t in yaml manifest markdown zip xapi lrs_reply journal lrs; do \
		mkdir -p build/fuzz/corpus-$$t && \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=65536 build/fuzz/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done
