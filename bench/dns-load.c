/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns-load: a small UDP DNS load generator in the spirit of dnsperf, for bench/dns on machines
 * where dnsperf is not installed. It takes dnsperf's main options and prints dnsperf's summary
 * format, so that the benchmark reads either tool's output the same way.
 *
 *   dns-load -s SERVER [-p PORT] -d FILE [-q OUTSTANDING] [-l SECONDS] [-n RUNS] [-t TIMEOUT]
 *            [-Q MAX_QPS] [-b KB]
 *   dns-load -s SERVER -d FILE --verify
 *
 * FILE holds one query per line, "NAME TYPE" (dnsperf's format; '#' starts a comment line).
 * The queries are sent in the file's order, wrapping around, from one UDP socket connected to the
 * server, each with a random ID not already outstanding and RD set (dnsperf's defaults: no EDNS).
 * At most OUTSTANDING (-q, default 100) are in flight at once: a new query leaves as soon as an
 * answer arrives (sendmmsg/recvmmsg in batches). An answer is matched by its ID and must repeat the
 * question; a query without an answer after TIMEOUT seconds (-t, default 5) is lost. The run stops
 * sending after SECONDS (-l) or after RUNS passes through the file (-n), then waits for the
 * queries still outstanding (at most TIMEOUT).
 *
 * --verify sends every line of the file once (in order, one at a time) and prints
 * "NAME TYPE RCODE ANSWERS" per line, ANSWERS being the A/AAAA addresses (or record types) of
 * the answer section separated by commas, "-" if none; the exit status is 0 if every query
 * got an answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_WIRE 300            /* header + a 255-byte name + type + class */
#define RECV_SIZE 4096
#define HIST_STEP_NS 10000ull   /* latency histogram: 10 us buckets ... */
#define HIST_BUCKETS 100000u    /* ... up to 1 s, the rest in the last one */

struct query {
	uint8_t wire[MAX_WIRE];
	uint16_t len;             /* whole message */
	char *text;               /* "NAME TYPE" as read, for --verify */
};

struct slot {
	uint64_t sent_ns;
	uint32_t query;
	bool busy;
};

static struct query *queries;
static size_t n_queries;
static struct slot slots[65536];
static uint16_t busy_ids[65536];  /* the outstanding IDs, compact */
static uint32_t busy_pos[65536];
static uint32_t n_busy;

static uint64_t n_sent, n_completed, n_lost, n_mismatch, n_unexpected, n_truncated, n_errors;
static uint64_t rcodes[16];
static uint64_t req_bytes, resp_bytes;
static double lat_sum, lat_sumsq, lat_min = 1e9, lat_max;
static uint64_t *hist;

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: seeded from the clock and the PID; IDs need only be unpredictable enough. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const struct {
	const char *name;
	uint16_t type;
} types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 }, { "MX", 15 },
	{ "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "NAPTR", 35 }, { "DS", 43 },
	{ "DNSKEY", 48 }, { "ANY", 255 }, { "CAA", 257 },
};

static int parse_type(const char *s, uint16_t *type)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(s, types[i].name)) {
			*type = types[i].type;
			return 0;
		}
	if (!strncasecmp(s, "TYPE", 4) && s[4]) {
		char *end;
		unsigned long v = strtoul(s + 4, &end, 10);
		if (!*end && v <= 65535) {
			*type = (uint16_t)v;
			return 0;
		}
	}
	return -1;
}

static const char *type_name(uint16_t type, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == type)
			return types[i].name;
	snprintf(buf, size, "TYPE%u", type);
	return buf;
}

static const char *const rcode_names[16] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
	"NXRRSET", "NOTAUTH", "NOTZONE", "RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
};

/* Encodes "NAME TYPE" into q->wire (ID left zero). Returns 0, or -1 with a reason in 'why'. */
static int encode_query(const char *name, const char *type_s, struct query *q, const char **why)
{
	uint8_t *p = q->wire;
	uint16_t type;
	size_t off = 12;

	if (parse_type(type_s, &type) < 0) {
		*why = "unknown record type";
		return -1;
	}
	memset(p, 0, 12);
	p[2] = 0x01;              /* RD */
	p[5] = 1;                 /* QDCOUNT */
	if (strcmp(name, ".") != 0) {
		const char *s = name;
		while (*s) {
			const char *dot = strchr(s, '.');
			size_t len = dot ? (size_t)(dot - s) : strlen(s);
			if (len == 0 || len > 63) {
				*why = "bad label";
				return -1;
			}
			if (off + 1 + len > 12 + 254) {
				*why = "name too long";
				return -1;
			}
			p[off++] = (uint8_t)len;
			memcpy(p + off, s, len);
			off += len;
			s += len;
			if (*s == '.')
				s++;
		}
	}
	p[off++] = 0;
	p[off++] = (uint8_t)(type >> 8);
	p[off++] = (uint8_t)type;
	p[off++] = 0;
	p[off++] = 1;             /* class IN */
	q->len = (uint16_t)off;
	return 0;
}

static int read_queries(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	size_t cap = 0, lineno = 0;

	if (!f) {
		fprintf(stderr, "dns-load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[512], type[64];
		const char *why = NULL;
		int n;
		lineno++;
		n = sscanf(line, "%511s %63s", name, type);
		if (n < 1 || name[0] == '#' || name[0] == ';')
			continue;
		if (n < 2)
			strcpy(type, "A");
		if (n_queries == cap) {
			cap = cap ? cap * 2 : 1024;
			queries = realloc(queries, cap * sizeof(*queries));
			if (!queries) {
				fprintf(stderr, "dns-load: out of memory\n");
				fclose(f);
				return -1;
			}
		}
		if (encode_query(name, type, &queries[n_queries], &why) < 0) {
			fprintf(stderr, "dns-load: %s:%zu: %s: %s\n", path, lineno, why, name);
			fclose(f);
			return -1;
		}
		queries[n_queries].text = malloc(strlen(name) + strlen(type) + 2);
		if (!queries[n_queries].text) {
			fprintf(stderr, "dns-load: out of memory\n");
			fclose(f);
			return -1;
		}
		sprintf(queries[n_queries].text, "%s %s", name, type);
		n_queries++;
	}
	fclose(f);
	if (!n_queries) {
		fprintf(stderr, "dns-load: %s: no queries\n", path);
		return -1;
	}
	return 0;
}

/* The question of a response equals the query's (names compared without regard to case). */
static bool same_question(const uint8_t *resp, size_t len, const struct query *q)
{
	size_t qlen = (size_t)q->len - 12;
	if (len < 12 + qlen || resp[4] != 0 || resp[5] != 1)
		return false;
	return strncasecmp((const char *)resp + 12, (const char *)q->wire + 12, qlen - 4) == 0 &&
	       memcmp(resp + 12 + qlen - 4, q->wire + 12 + qlen - 4, 4) == 0;
}

/* Skips a (possibly compressed) name at *off; false if it runs off the packet. */
static bool skip_name(const uint8_t *p, size_t len, size_t *off)
{
	for (int guard = 0; guard < 128; guard++) {
		if (*off >= len)
			return false;
		uint8_t c = p[*off];
		if (c == 0) {
			(*off)++;
			return true;
		}
		if ((c & 0xc0) == 0xc0) {
			*off += 2;
			return *off <= len;
		}
		if (c & 0xc0)
			return false;
		*off += 1u + c;
	}
	return false;
}

static void release(uint16_t id)
{
	uint32_t pos = busy_pos[id];
	uint16_t last = busy_ids[--n_busy];
	busy_ids[pos] = last;
	busy_pos[last] = pos;
	slots[id].busy = false;
}

static uint16_t claim(uint32_t query, uint64_t t)
{
	uint16_t id;
	do
		id = (uint16_t)(rng() >> 32);
	while (slots[id].busy);
	slots[id].busy = true;
	slots[id].query = query;
	slots[id].sent_ns = t;
	busy_pos[id] = n_busy;
	busy_ids[n_busy++] = id;
	return id;
}

static void handle_response(const uint8_t *p, size_t len, uint64_t t)
{
	uint16_t id;
	struct slot *s;

	if (len < 12 || !(p[2] & 0x80)) {
		n_unexpected++;
		return;
	}
	id = (uint16_t)(p[0] << 8 | p[1]);
	s = &slots[id];
	if (!s->busy) {
		n_unexpected++;       /* late (already counted lost) or not ours */
		return;
	}
	if (!same_question(p, len, &queries[s->query])) {
		n_mismatch++;
		return;
	}
	double lat = (double)(t - s->sent_ns) / 1e9;
	uint64_t b = (t - s->sent_ns) / HIST_STEP_NS;
	hist[b < HIST_BUCKETS ? b : HIST_BUCKETS - 1]++;
	lat_sum += lat;
	lat_sumsq += lat * lat;
	if (lat < lat_min)
		lat_min = lat;
	if (lat > lat_max)
		lat_max = lat;
	if (p[2] & 0x02)
		n_truncated++;
	rcodes[p[3] & 0x0f]++;
	resp_bytes += len;
	n_completed++;
	release(id);
}

static void expire(uint64_t t, uint64_t timeout_ns)
{
	for (uint32_t i = 0; i < n_busy;) {
		uint16_t id = busy_ids[i];
		if (t - slots[id].sent_ns >= timeout_ns) {
			n_lost++;
			release(id);       /* moves the last one to i: look at i again */
		} else {
			i++;
		}
	}
}

static double percentile(double frac)
{
	uint64_t want = (uint64_t)ceil(frac * (double)n_completed), seen = 0;
	for (uint32_t b = 0; b < HIST_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want && want)
			return (double)(b + 1) * (double)HIST_STEP_NS / 1e9;
	}
	return 0;
}

static int open_socket(const char *server, const char *port, int bufkb)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, size = bufkb * 1024;

	if (inet_pton(AF_INET, server, &sa.sin_addr) != 1) {
		fprintf(stderr, "dns-load: %s: not an IPv4 address\n", server);
		return -1;
	}
	sa.sin_port = htons((uint16_t)atoi(port));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("dns-load: socket");
		return -1;
	}
	if (size > 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "dns-load: connect %s: %s\n", server, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int verify(int fd, double timeout)
{
	static uint8_t buf[RECV_SIZE];
	int bad = 0;

	for (size_t i = 0; i < n_queries; i++) {
		struct query *q = &queries[i];
		uint16_t id = (uint16_t)(rng() >> 32);
		uint64_t deadline;
		bool got = false;
		char tb[16];

		q->wire[0] = (uint8_t)(id >> 8);
		q->wire[1] = (uint8_t)id;
		for (int attempt = 0; attempt < 3 && !got; attempt++) {
			if (send(fd, q->wire, q->len, 0) < 0) {
				fprintf(stderr, "dns-load: send: %s\n", strerror(errno));
				return 2;
			}
			deadline = now_ns() + (uint64_t)(timeout * 1e9);
			while (!got) {
				uint64_t t = now_ns();
				if (t >= deadline)
					break;
				struct pollfd pfd = { .fd = fd, .events = POLLIN };
				if (poll(&pfd, 1, (int)((deadline - t) / 1000000u) + 1) <= 0)
					continue;
				ssize_t n = recv(fd, buf, sizeof(buf), 0);
				if (n < 12 || buf[0] != q->wire[0] || buf[1] != q->wire[1] ||
				    !(buf[2] & 0x80) || !same_question(buf, (size_t)n, q))
					continue;
				got = true;
				/* the answer section: A/AAAA addresses, other types by name */
				size_t off = (size_t)q->len, len = (size_t)n;
				unsigned an = (unsigned)(buf[6] << 8 | buf[7]);
				char out[2048] = "";
				size_t o = 0;
				for (unsigned k = 0; k < an && k < 64; k++) {
					if (!skip_name(buf, len, &off) || off + 10 > len)
						break;
					uint16_t type = (uint16_t)(buf[off] << 8 | buf[off + 1]);
					uint16_t rdlen = (uint16_t)(buf[off + 8] << 8 | buf[off + 9]);
					off += 10;
					if (off + rdlen > len)
						break;
					char a[INET6_ADDRSTRLEN];
					if (type == 1 && rdlen == 4)
						inet_ntop(AF_INET, buf + off, a, sizeof(a));
					else if (type == 28 && rdlen == 16)
						inet_ntop(AF_INET6, buf + off, a, sizeof(a));
					else
						snprintf(a, sizeof(a), "%s", type_name(type, tb, sizeof(tb)));
					o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? "," : "", a);
					if (o >= sizeof(out) - INET6_ADDRSTRLEN - 2)
						break;
					off += rdlen;
				}
				printf("%s %s%s %s\n", q->text, rcode_names[buf[3] & 0x0f],
				       (buf[2] & 0x02) ? "+TC" : "", o ? out : "-");
			}
		}
		if (!got) {
			printf("%s TIMEOUT -\n", q->text);
			bad = 1;
		}
	}
	return bad;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: dns-load -s SERVER [-p PORT] -d FILE [-q OUTSTANDING] [-l SECONDS] [-n RUNS]\n"
		"                [-t TIMEOUT] [-Q MAX_QPS] [-b KB]\n"
		"       dns-load -s SERVER [-p PORT] -d FILE --verify\n"
		"  -s  server IPv4 address (default 127.0.0.1)      -p  port (default 53)\n"
		"  -d  query file, \"NAME TYPE\" per line             -q  queries outstanding (default 100)\n"
		"  -l  seconds to send for (default: no limit)      -n  passes through the file (default 1\n"
		"                                                       when -l is not given)\n"
		"  -t  seconds before a query is lost (default 5)   -Q  queries per second at most\n"
		"  -b  socket buffers in KB (default 4096)\n"
		"Options and output follow dnsperf's, so that either can drive bench/dns.\n");
}

int main(int argc, char **argv)
{
	const char *server = "127.0.0.1", *port = "53", *file = NULL;
	double limit = 0, timeout = 5, max_qps = 0;
	long outstanding = 100, runs = 0, bufkb = 4096;
	bool do_verify = false;
	static const struct option longopts[] = {
		{ "verify", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, fd;

	while ((c = getopt_long(argc, argv, "s:p:d:q:l:n:t:Q:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'p': port = optarg; break;
		case 'd': file = optarg; break;
		case 'q': outstanding = strtol(optarg, NULL, 10); break;
		case 'l': limit = strtod(optarg, NULL); break;
		case 'n': runs = strtol(optarg, NULL, 10); break;
		case 't': timeout = strtod(optarg, NULL); break;
		case 'Q': max_qps = strtod(optarg, NULL); break;
		case 'b': bufkb = strtol(optarg, NULL, 10); break;
		case 'V': do_verify = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!file || optind != argc || outstanding < 1 || outstanding > 60000 || timeout <= 0 ||
	    limit < 0 || runs < 0 || max_qps < 0) {
		usage(stderr);
		return 2;
	}
	if (!limit && !runs)
		runs = 1;
	rng_state = now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
	if (read_queries(file) < 0)
		return 1;
	fd = open_socket(server, port, (int)bufkb);
	if (fd < 0)
		return 1;
	if (do_verify)
		return verify(fd, timeout < 2 ? timeout : 2);

	hist = calloc(HIST_BUCKETS, sizeof(*hist));
	if (!hist) {
		fprintf(stderr, "dns-load: out of memory\n");
		return 1;
	}

	static uint8_t sbuf[BATCH][MAX_WIRE], rbuf[BATCH][RECV_SIZE];
	struct mmsghdr smsg[BATCH], rmsg[BATCH];
	struct iovec siov[BATCH], riov[BATCH];
	memset(smsg, 0, sizeof(smsg));
	memset(rmsg, 0, sizeof(rmsg));
	for (int i = 0; i < BATCH; i++) {
		siov[i].iov_base = sbuf[i];
		smsg[i].msg_hdr.msg_iov = &siov[i];
		smsg[i].msg_hdr.msg_iovlen = 1;
		riov[i].iov_base = rbuf[i];
		riov[i].iov_len = RECV_SIZE;
		rmsg[i].msg_hdr.msg_iov = &riov[i];
		rmsg[i].msg_hdr.msg_iovlen = 1;
	}

	printf("DNS Performance Testing Tool (bench/dns-load, dnsperf-compatible summary)\n\n");
	printf("[Status] Command line: dns-load");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n[Status] Sending queries (to %s:%s)\n", server, port);
	fflush(stdout);

	const uint64_t timeout_ns = (uint64_t)(timeout * 1e9);
	const uint64_t start = now_ns();
	const uint64_t stop_at = limit > 0 ? start + (uint64_t)(limit * 1e9) : UINT64_MAX;
	const uint64_t max_sent = runs > 0 ? (uint64_t)runs * n_queries : UINT64_MAX;
	uint64_t next = 0, last_scan = start, end_send = 0, t = start;
	bool sending = true;
	const char *why_stop = "time limit";

	for (;;) {
		t = now_ns();
		if (sending && (t >= stop_at || n_sent >= max_sent)) {
			sending = false;
			end_send = t;
			if (n_sent >= max_sent)
				why_stop = "end of file";
		}
		if (!sending && (n_busy == 0 || t - end_send >= timeout_ns))
			break;
		if (t - last_scan >= 1000000u) {
			expire(t, timeout_ns);
			last_scan = t;
		}

		/* fill the window */
		if (sending) {
			uint64_t room = (uint64_t)outstanding - n_busy;
			if (max_qps > 0) {
				uint64_t allowed = (uint64_t)((double)(t - start) / 1e9 * max_qps) + 1;
				room = allowed > n_sent ? (allowed - n_sent < room ? allowed - n_sent : room) : 0;
			}
			if (max_sent - n_sent < room)
				room = max_sent - n_sent;
			while (room > 0) {
				unsigned k = 0;
				while (k < BATCH && k < room) {
					const struct query *q = &queries[next];
					uint16_t id = claim((uint32_t)next, t);
					memcpy(sbuf[k], q->wire, q->len);
					sbuf[k][0] = (uint8_t)(id >> 8);
					sbuf[k][1] = (uint8_t)id;
					siov[k].iov_len = q->len;
					k++;
					if (++next == n_queries)
						next = 0;
				}
				unsigned done = 0;
				while (done < k) {
					int r = sendmmsg(fd, smsg + done, k - done, 0);
					if (r < 0) {
						if (errno == EINTR)
							continue;
						if (errno == EAGAIN || errno == ENOBUFS || errno == ECONNREFUSED) {
							n_errors++;
							break;
						}
						fprintf(stderr, "dns-load: sendmmsg: %s\n", strerror(errno));
						return 1;
					}
					for (int i = 0; i < r; i++)
						req_bytes += siov[done + (unsigned)i].iov_len;
					done += (unsigned)r;
				}
				/* the ones not sent are not outstanding: give their IDs back */
				for (unsigned i = done; i < k; i++)
					release((uint16_t)(sbuf[i][0] << 8 | sbuf[i][1]));
				if (done < k) {
					uint64_t back = k - done;
					next = (next + n_queries - back % n_queries) % n_queries;
				}
				n_sent += done;
				room -= k;
				if (done < k)
					break;
			}
		}

		/* collect answers; block only when there is nothing else to do */
		int r = recvmmsg(fd, rmsg, BATCH, MSG_DONTWAIT, NULL);
		if (r < 0) {
			if (errno == ECONNREFUSED) {
				n_errors++;
				continue;
			}
			if (errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "dns-load: recvmmsg: %s\n", strerror(errno));
				return 1;
			}
			bool window_full = !sending || n_busy >= (uint64_t)outstanding ||
					   (max_qps > 0);
			if (window_full) {
				struct pollfd pfd = { .fd = fd, .events = POLLIN };
				struct timespec ts = { 0, max_qps > 0 ? 100000 : 1000000 };
				(void)ppoll(&pfd, 1, &ts, NULL);
			}
			continue;
		}
		t = now_ns();
		for (int i = 0; i < r; i++)
			handle_response(rbuf[i], rmsg[i].msg_len, t);
	}
	uint64_t end = now_ns();
	if (!end_send)
		end_send = end;
	expire(UINT64_MAX / 2, 0);   /* what is left is lost */

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	double run_time = (double)(end - start) / 1e9;
	double send_time = (double)(end_send - start) / 1e9;
	double pct = n_sent ? 100.0 / (double)n_sent : 0;

	printf("[Status] Testing complete (%s)\n\n", why_stop);
	printf("Statistics:\n\n");
	printf("  Queries sent:         %llu\n", (unsigned long long)n_sent);
	printf("  Queries completed:    %llu (%.2f%%)\n", (unsigned long long)n_completed,
	       (double)n_completed * pct);
	printf("  Queries lost:         %llu (%.2f%%)\n", (unsigned long long)n_lost,
	       (double)n_lost * pct);
	if (n_mismatch || n_unexpected || n_errors)
		printf("  Responses not matched: %llu wrong question, %llu unknown ID; %llu send/recv "
		       "errors\n", (unsigned long long)n_mismatch, (unsigned long long)n_unexpected,
		       (unsigned long long)n_errors);
	printf("\n  Response codes:       ");
	bool first = true;
	for (int i = 0; i < 16; i++)
		if (rcodes[i]) {
			printf("%s%s %llu (%.2f%%)", first ? "" : ", ", rcode_names[i],
			       (unsigned long long)rcodes[i],
			       n_completed ? 100.0 * (double)rcodes[i] / (double)n_completed : 0);
			first = false;
		}
	if (n_truncated)
		printf(", %llu truncated (TC)", (unsigned long long)n_truncated);
	printf("\n");
	printf("  Average packet size:  request %llu, response %llu\n",
	       (unsigned long long)(n_sent ? req_bytes / n_sent : 0),
	       (unsigned long long)(n_completed ? resp_bytes / n_completed : 0));
	printf("  Run time (s):         %.6f\n", run_time);
	printf("  Sending time (s):     %.6f\n", send_time);
	printf("  Queries per second:   %.6f\n\n", run_time > 0 ? (double)n_completed / run_time : 0);
	if (n_completed) {
		double avg = lat_sum / (double)n_completed;
		double var = lat_sumsq / (double)n_completed - avg * avg;
		printf("  Average Latency (s):  %.6f (min %.6f, max %.6f)\n", avg, lat_min, lat_max);
		printf("  Latency StdDev (s):   %.6f\n", var > 0 ? sqrt(var) : 0);
		printf("  Latency p50/p99 (s):  %.5f / %.5f (10 us buckets)\n", percentile(0.5),
		       percentile(0.99));
	}
	printf("  Generator CPU (s):    %.3f (%.0f%% of a core)\n", cpu,
	       run_time > 0 ? 100 * cpu / run_time : 0);
	printf("\n");
	return 0;
}
