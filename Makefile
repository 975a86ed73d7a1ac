# Thin wrapper over CMake. Everything real lives in CMakeLists.txt.
#   make          build everything (jx + unit tests) into build/ (-O2 -g)
#   make jx       build only build/jx (also: make TARGETS='jx test_lexer')
#   make asan     the same with AddressSanitizer + UBSan into build-asan/
#   make test     build both and run every test (same as ./jx-dev test)
#   make bench    run the benchmarks (bench/run) and write docs/benchmarks.md
#   make format   clang-format the C sources in place
#   make clean    remove build/ and build-asan/
CMAKE ?= cmake
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
TARGETS ?=
CONFIGURE = $(CMAKE) --log-level=WARNING -Wno-dev
BUILD = --build $(1) -j $(JOBS) $(if $(TARGETS),--target $(TARGETS))

.PHONY: all jx asan test bench format clean configure

all: configure
	$(CMAKE) $(call BUILD,build)

jx:
	$(MAKE) --no-print-directory all TARGETS=jx

configure:
	$(CONFIGURE) -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

# -O1 keeps ASan fast enough for the whole test suite; asserts stay on.
asan:
	$(CONFIGURE) -S . -B build-asan -DJX_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
	  '-DCMAKE_C_FLAGS_DEBUG=-O1 -g' $(CMAKE_FLAGS)
	$(CMAKE) $(call BUILD,build-asan)

test:
	sh ./jx-dev test

# bench/run builds its own Release jx (build-bench/), installs the peers it
# lacks and writes docs/benchmarks.md; BENCH_ARGS=--quick for a short run.
BENCH_ARGS ?=
bench:
	python3 bench/run $(BENCH_ARGS)

format:
	@command -v clang-format >/dev/null || { echo "make format needs clang-format (apt-get install clang-format)"; exit 1; }
	clang-format -i $$(find lexer parser eval ad stdlib repl tests/unit -name '*.[ch]' 2>/dev/null)

clean:
	rm -rf build build-asan
