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
PKGS    := libzip libxml-2.0 jansson libcurl yaml-0.1 libcmark
VERSION := 0.1.0

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-format-nonliteral
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -DET_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS) \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Isrc
LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

B       ?= build
CORE    := buf diag util source ydoc course parse check markdown escape html \
           manifest xsd scormcheck zipw package embed
CLI     := main cmd_build
CORE_O   = $(CORE:%=$(B)/obj/%.o) $(B)/obj/embed_data.o
CLI_O    = $(CLI:%=$(B)/obj/%.o)

EMBED := runtime/etoolbox.js=src/runtime/etoolbox.js \
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

.PHONY: all packages deps test unit asan install clean format lint

all: $(B)/etoolbox

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

asan:
	$(MAKE) B=build/asan CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		LDFLAGS='-fsanitize=address,undefined' build/asan/etoolbox build/asan/unit-tests

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
