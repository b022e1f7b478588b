# The two commands of the README, for a fresh Debian 12 machine, as root:
#   make demo    install what is missing, build, run the demo (in throwaway namespaces)
#   make check   install what is missing, build (plain and ASan+UBSan), run every test
# Everything else here is a step of those two.

# Needed to build and to run the tests: an install failure stops the run. frr (EVPN tests run
# their own zebra and bgpd in namespaces) is left stopped and disabled (no_services below).
DEB_PACKAGES := meson ninja-build pkg-config gcc clang libclang-rt-14-dev \
	libmnl-dev libnftables-dev libjansson-dev libinih-dev libcmocka-dev \
	nftables iproute2 iputils-ping netcat-openbsd procps python3 python3-pytest python3-scapy \
	isc-dhcp-client dhcpcd-base busybox dnsmasq-base iperf3 qemu-system-x86 graphviz iptables \
	valgrind dnsperf kea-admin frr
# Extra real clients some tests prefer (dig); each such test says so and falls back to another
# real client when the package cannot be installed (a machine without a package mirror).
DEB_OPTIONAL := bind9-dnsutils

BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 10
PYTEST := PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -p no:cacheprovider
# Any sanitizer finding aborts the program and fails the test that ran it.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: all deps build build-asan guest demo check unit fuzz integration clean install

all: build

missing = $$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done)

# Runs $(1) with no package's service started (frr's bgpd/zebra would touch the host's
# routing): a policy-rc.d denying every start while it runs, unless the machine has its own.
no_services = own=; if [ ! -e /usr/sbin/policy-rc.d ]; then \
		printf '\043!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && own=1; \
	fi; $(1); rc=$$?; if [ -n "$$own" ]; then rm -f /usr/sbin/policy-rc.d; fi; [ $$rc -eq 0 ]

deps:
	@missing="$(call missing,$(DEB_PACKAGES))"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(call no_services,apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing); \
		case " $$missing " in *" frr "*) \
			if [ -d /run/systemd/system ]; then systemctl disable --now frr.service; fi;; \
		esac; \
	fi
	@optional="$(call missing,$(DEB_OPTIONAL))"; \
	if [ -n "$$optional" ]; then \
		echo "Installing optional Debian packages:" $$optional; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$optional; } \
			|| echo "warning: could not install $$optional; tests preferring them use fallbacks"; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

# The tiny QEMU guest of qemu lab nodes, where kvmnetd looks for it by default (--guest-dir):
# a kernel and busybox downloaded with apt-get download (never installed), cached.
guest: build
	bash tests/guest/build-guest.sh $(BUILD)/guest

demo: build guest
	KVMNET_BUILD=$(BUILD) bash demo/demo.sh

unit: build build-asan
	meson test -C $(BUILD) --suite unit --suite kernel --suite fuzz-replay --print-errorlogs
	$(SAN_ENV) meson test -C $(ASAN_BUILD) --suite unit --suite kernel --suite fuzz-replay --print-errorlogs

# Each libFuzzer target runs for FUZZ_SECONDS from its corpus (new inputs go to a temp dir).
fuzz: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	@set -e; for f in $(FUZZ_BUILD)/tests/fuzz/fuzz-*; do \
		[ -f "$$f" ] && [ -x "$$f" ] || continue; name=$${f##*/fuzz-}; tmp=$$(mktemp -d); \
		echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
		$(SAN_ENV) "$$f" -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 \
			$$tmp tests/fuzz/corpus/$$name > $$tmp.log 2>&1 || { tail -50 $$tmp.log; rm -rf $$tmp $$tmp.log; exit 1; }; \
		rm -rf $$tmp $$tmp.log; \
	done

integration: build build-asan
	KVMNET_BUILD=$(BUILD) $(PYTEST) tests/integration -q -rs
	KVMNET_BUILD=$(ASAN_BUILD) $(PYTEST) tests/integration -q -rs

check: unit fuzz integration

# ldconfig: glibc finds libnss_kvmnet.so.2 under /usr/local only through the linker cache.
install: build
	meson install -C $(BUILD)
	ldconfig

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
