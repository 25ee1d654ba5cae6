/* libFuzzer harness for capsim's input handling: scenario JSON, traffic traces, catalogs.
 *
 * Built three times by `make fuzz` (not part of `make test`):
 *   - fuzz_scenario: the bytes are a scenario file, given to scenario_parse() as "fuzz.json";
 *     a good one then goes through what `capsim validate` does after loading (the summary
 *     line's durations, the network and value notes) and its documented invariants are
 *     checked (models/scenario.h). Run it from scenarios/ so that the examples' relative
 *     trace paths resolve.
 *   - fuzz_trace (-DFUZZ_INPUT_trace): the bytes are a traffic trace CSV, written to a temporary
 *     file that a fixed scenario names; a good trace then drives models/traffic.c.
 *   - fuzz_catalog (-DFUZZ_INPUT_catalog): the bytes are a price catalog CSV (models/catalog.c).
 * A bad input must get the error contract: a known code, and a message that names the file
 * and a line within the input and (for the scenario and the trace) that a terminal shows as
 * written: no raw control characters, and valid UTF-8 whenever the input is. Any breach
 * aborts, so that libFuzzer keeps the input. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "models/scenario.h"
#include "models/traffic.h"
#include "sim/error.h"

#define CHECK(e, ...)                                                                   \
	do {                                                                            \
		if (!(e)) {                                                             \
			fprintf(stderr, "fuzz: check failed at %s:%d: %s\n", __FILE__, \
				__LINE__, #e);                                          \
			fprintf(stderr, __VA_ARGS__);                                   \
			fputc('\n', stderr);                                            \
			abort();                                                        \
		}                                                                       \
	} while (0)

#if defined(FUZZ_INPUT_trace) || defined(FUZZ_INPUT_catalog)
/* The temporary file the CSV inputs are written to. */
static char tmp_path[256];

static void remove_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}

static void write_tmp(const uint8_t *data, size_t size)
{
	FILE *f = fopen(tmp_path, "wb");
	CHECK(f, "cannot write %s", tmp_path);
	CHECK(fwrite(data, 1, size, f) == size, "short write to %s", tmp_path);
	CHECK(fclose(f) == 0, "cannot close %s", tmp_path);
}
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
#if defined(FUZZ_INPUT_trace) || defined(FUZZ_INPUT_catalog)
	const char *dir = getenv("TMPDIR");
	snprintf(tmp_path, sizeof tmp_path, "%s/capsim-fuzz-XXXXXX", dir && dir[0] ? dir : "/tmp");
	int fd = mkstemp(tmp_path);
	CHECK(fd >= 0, "cannot create %s", tmp_path);
	close(fd);
	atexit(remove_tmp);
#endif
	return 0;
}

/* ---- the error contract ---- */

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

#if !defined(FUZZ_INPUT_catalog)

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
		   : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return len;
}

static int valid_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k)
		if ((k = utf8_seq(s + i, n - i)) == 0)
			return 0;
	return 1;
}

/* A message a terminal shows as written: no control characters (a tab, an escape sequence,
 * a carriage return that overwrites the line), valid UTF-8 when the input was. */
static void check_printable(const char *msg, int input_utf8)
{
	for (const char *p = msg; *p; p++)
		CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "raw control character 0x%02x "
		      "at %zu in: %s", (unsigned char)*p, (size_t)(p - msg), msg);
	if (input_utf8)
		CHECK(valid_utf8((const uint8_t *)msg, strlen(msg)), "message not UTF-8: %s", msg);
}

/* A failed scenario_parse: a known code, a message "FILE:LINE: ..." naming `file` with a
 * line within data[0..size) (file NULL: any file, any line). */
static void check_error(int rc, const struct scenario_error *err, const char *file,
			const uint8_t *data, size_t size)
{
	CHECK(rc == CAPSIM_EIO || rc == CAPSIM_EPARSE || rc == CAPSIM_EINVAL ||
	      rc == CAPSIM_ENOMEM, "unexpected code %d", rc);
	CHECK(err->msg[0] && err->text[0] && err->file[0], "empty message (rc %d): %s", rc,
	      err->msg);
	CHECK(strncmp(err->msg, err->file, strlen(err->file)) == 0, "message does not start "
	      "with its file %s: %s", err->file, err->msg);
	check_printable(err->text, valid_utf8(data, size));
	check_printable(err->path, valid_utf8(data, size));
	if (!file)
		return;
	CHECK(strcmp(err->file, file) == 0, "error in %s, expected %s: %s", err->file, file,
	      err->msg);
	CHECK(err->line >= 1 && (size_t)err->line <= count_lines(data, size), "line %d outside "
	      "the input's %zu lines: %s", err->line, count_lines(data, size), err->msg);
}

/* ---- a good scenario ---- */

/* The invariants models/scenario.h promises of a loaded scenario (a sample: the ones later
 * stages index with). */
static void check_scenario(const struct scenario *sc)
{
	CHECK(sc->name && sc->version == SCENARIO_VERSION, "name or version");
	CHECK(sc->horizon > 0 && sc->step > 0 && sc->horizon / sc->step <= SCENARIO_MAX_STEPS &&
	      isfinite(sc->horizon), "horizon %g step %g", sc->horizon, sc->step);
	CHECK(sc->replications >= 1 && sc->replications <= SCENARIO_MAX_REPLICATIONS, "reps");
	CHECK(sc->nregions >= 1 && sc->ntiers >= 1, "no region or tier");
	CHECK(sc->traffic.nregions == sc->nregions, "traffic regions");
	double share = 0;
	for (size_t r = 0; r < sc->nregions; r++) {
		CHECK(sc->regions[r].nzones >= 1, "region without zones");
		CHECK(sc->traffic.region_share[r] >= 0, "negative share");
		share += sc->traffic.region_share[r];
	}
	CHECK(fabs(share - 1) <= 1e-9, "shares sum to %.17g", share);
	if (sc->traffic.has_trace)
		CHECK(sc->traffic.trace.n >= 1, "empty trace");
	else
		CHECK(sc->traffic.base_rate > 0 && isfinite(sc->traffic.base_rate), "base_rate");
	for (size_t k = 0; k < sc->ninstance_types; k++)
		CHECK(sc->instance_types[k].name && sc->instance_types[k].family &&
		      sc->instance_types[k].price, "instance type %zu", k);
	/* The chain from tiers[0] reaches every tier once. */
	size_t steps = 0;
	for (long t = 0; t >= 0; t = sc->tiers[t].calls) {
		CHECK((size_t)t < sc->ntiers && ++steps <= sc->ntiers, "chain");
	}
	CHECK(steps == sc->ntiers, "chain reaches %zu of %zu tiers", steps, sc->ntiers);
	for (size_t i = 0; i < sc->ntiers; i++) {
		const struct scenario_tier *t = &sc->tiers[i];
		const struct scenario_autoscaling *as = &t->autoscaling;
		CHECK(t->instance_type < sc->ninstance_types, "tier type");
		CHECK(t->nplacement >= 1, "tier %zu not placed", i);
		for (size_t j = 0; j < t->nplacement; j++) {
			const struct scenario_placement *pl = &t->placement[j];
			CHECK(pl->region < sc->nregions && pl->zones >= 1 &&
			      (size_t)pl->zones <= sc->regions[pl->region].nzones, "placement");
		}
		CHECK(as->min <= as->desired && as->desired <= as->max && as->max >= 1,
		      "autoscaling %d %d %d", as->min, as->desired, as->max);
		CHECK(t->boot_median > 0 && t->boot_median <= t->boot_p95, "boot");
		CHECK(t->capacity_rps > 0 && isfinite(t->capacity_rps), "capacity %g",
		      t->capacity_rps);
		for (size_t j = 0; j < t->purchase.nspot_types; j++)
			CHECK(t->purchase.spot_types[j] < sc->ninstance_types, "spot type");
		const struct scenario_opt_tier *ot = &sc->optimize.tiers[i];
		for (size_t j = 1; j < ot->nbase; j++)
			CHECK(ot->base[j - 1] < ot->base[j], "optimize base not sorted, unique");
		for (size_t j = 1; j < ot->npct; j++)
			CHECK(ot->pct[j - 1] < ot->pct[j], "optimize pct not sorted, unique");
		for (size_t j = 0; j < ot->nspot_types; j++)
			CHECK(ot->spot_types[j] < sc->ninstance_types, "optimize spot type");
		for (size_t j = 0; j < ot->ntype_counts; j++) {
			int k = ot->type_counts[j];
			CHECK(k >= 1 && (size_t)k <= ot->nspot_types &&
			      (j == 0 || ot->type_counts[j - 1] < k), "type counts");
		}
	}
	if (sc->has_dr && sc->dr.strategy != SCENARIO_DR_ACTIVE_ACTIVE)
		CHECK(sc->dr.primary < sc->nregions && sc->dr.recovery < sc->nregions &&
		      sc->dr.primary != sc->dr.recovery, "dr regions");
	if (sc->has_dr)
		CHECK(sc->dr.data_tier < sc->ntiers, "dr data tier");
	for (size_t k = 0; k < sc->failures.nscripted; k++)
		CHECK(sc->failures.scripted[k].region < sc->nregions &&
		      sc->failures.scripted[k].at < sc->horizon, "scripted outage");
}

#endif

/* ---- the three inputs ---- */

#if defined(FUZZ_INPUT_trace)

/* The trace's rates over one day of hourly steps, as `capsim run` asks for them: the shape
 * table, then the generator (noise and spikes on). */
static void drive_traffic(struct scenario *sc)
{
	double *shape = NULL, rate;
	struct traffic t;
	CHECK(traffic_shape_table(&sc->traffic, sc->step, 24, &shape) == 0, "shape table");
	for (size_t k = 0; k < 24; k++)
		CHECK(shape[k] >= 0, "step %zu: shape %g", k, shape[k]);
	CHECK(traffic_init(&t, &sc->traffic, sc->step, sc->horizon, 1, 0) == 0, "traffic_init");
	for (uint64_t k = 0; k < 24; k++)
		CHECK(traffic_rate(&t, k, &rate) == 0 && rate >= 0, "rate of step %zu", (size_t)k);
	traffic_release(&t);
	free(shape);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024];
	struct scenario sc;
	struct scenario_error err;
	int n = snprintf(text, sizeof text,
		"{ \"name\": \"fuzz\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1h\",\n"
		"  \"traffic\": { \"trace\": \"%s\", \"noise\": 0.1,\n"
		"    \"spikes\": { \"rate_per_day\": 4, \"magnitude\": [1.5, 3],\n"
		"                \"duration\": \"30m\" } },\n"
		"  \"instance_types\": [ { \"name\": \"t\", \"vcpu\": 2, \"memory_gib\": 4,\n"
		"                        \"price_hourly\": 0.1 } ],\n"
		"  \"regions\": [ { \"name\": \"r\", \"zones\": [\"a\"] } ],\n"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"t\",\n"
		"               \"capacity_rps\": 100,\n"
		"               \"autoscaling\": { \"min\": 1, \"max\": 10 } } ] }\n", tmp_path);
	CHECK(n > 0 && (size_t)n < sizeof text, "scenario text");
	write_tmp(data, size);
	int rc = scenario_parse(text, (size_t)n, "fuzz.json", &sc, &err);
	if (rc) {
		check_error(rc, &err, tmp_path, data, size);
		return 0;
	}
	check_scenario(&sc);
	drive_traffic(&sc);
	/* The same trace repeated with the shortest period the scenario format accepts: its
	 * last row's time. */
	double last = sc.traffic.trace.time[sc.traffic.trace.n - 1];
	if (last > 0) {
		sc.traffic.trace_period = last;
		drive_traffic(&sc);
	}
	scenario_release(&sc);
	return 0;
}

#elif defined(FUZZ_INPUT_catalog)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog cat;
	char msg[1024];
	write_tmp(data, size);
	int rc = catalog_load(tmp_path, &cat, msg, sizeof msg);
	if (rc) {
		size_t pl = strlen(tmp_path);
		CHECK(rc == CAPSIM_EIO || rc == CAPSIM_EPARSE || rc == CAPSIM_EINVAL ||
		      rc == CAPSIM_ENOMEM, "unexpected code %d", rc);
		CHECK(strncmp(msg, tmp_path, pl) == 0 && msg[pl] == ':', "message does not start "
		      "with the file: %s", msg);
		long line = strtol(msg + pl + 1, NULL, 10);
		CHECK(line >= 1 && (size_t)line <= count_lines(data, size), "line %ld outside the "
		      "input's %zu lines: %s", line, count_lines(data, size), msg);
		/* Not check_printable: the message reaches people only inside a scenario_error,
		 * which escapes it (the scenario and trace inputs check that). */
		return 0;
	}
	/* What models/catalog.h promises of a loaded catalog. */
	CHECK(cat.n >= 1 && cat.date[0] && cat.source[0], "empty catalog");
	for (size_t i = 0; i < cat.n; i++) {
		const struct catalog_entry *e = &cat.e[i];
		CHECK(catalog_find(&cat, e->type, e->region) == e, "duplicate row %zu", i);
		CHECK(e->on_demand > 0 && e->vcpu >= 1 && e->memory_gib > 0, "row %zu", i);
		CHECK(e->spot_discount > 0 && e->spot_discount < 1, "row %zu discount", i);
		CHECK(e->spot_bucket >= 0 && e->spot_bucket < CATALOG_NBUCKETS, "row %zu bucket",
		      i);
		for (int t = 0; t < CATALOG_NTERMS; t++)
			for (int p = 0; p < CATALOG_NPAYMENTS; p++)
				CHECK(catalog_ri_effective(e, t, p) < e->on_demand, "row %zu ri",
				      i);
	}
	catalog_release(&cat);
	return 0;
}

#else

/* What `capsim validate` does with a good scenario beyond parsing it (its notes), into a
 * buffer nobody reads. */
static void validate_like(const struct scenario *sc)
{
	char notes[2048];
	scenario_network_notes(sc, notes, sizeof notes);
	scenario_value_notes(sc, notes, sizeof notes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario sc;
	struct scenario_error err;
	int rc = scenario_parse((const char *)data, size, "fuzz.json", &sc, &err);
	if (rc) {
		/* A mistake inside a trace or catalog the file names is reported in that file. */
		int in_file = strcmp(err.file, "fuzz.json") == 0;
		check_error(rc, &err, in_file ? "fuzz.json" : NULL, data, size);
		return 0;
	}
	check_scenario(&sc);
	validate_like(&sc);
	scenario_release(&sc);
	return 0;
}

#endif
