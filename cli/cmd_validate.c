/* `capsim validate`: loads scenario files and reports the first mistake with its line. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "models/scenario.h"
#include "sim/error.h"

const char cmd_validate_usage[] =
	"usage: capsim validate FILE...\n"
	"\n"
	"Checks scenario files (format v1, see scenarios/README.md) without simulating them:\n"
	"types, ranges, units, references between sections, unknown and duplicate keys, and\n"
	"the traffic trace if there is one. For each good file it prints one line:\n"
	"\n"
	"  FILE: ok (NAME: N tiers, M regions, horizon 30 d, step 1 min, R replications)\n"
	"\n"
	"At the first bad file it prints the one mistake on stderr as\n"
	"FILE:LINE: JSON.PATH: what was expected, got what was found\n"
	"and exits with status 2. Nothing is written anywhere.\n"
	"\n"
	"A good file may get notes after its line, \"note: ...\", where requests cross regions\n"
	"with no round trip (regions[].rtt) or no sizes (tiers[].request_kb, response_kb)\n"
	"declared: the simulation then counts no network time or no transfer for them; and\n"
	"where a value is valid but more likely a slip of units (a latency target of 600,\n"
	"seconds, where \"600ms\" was meant; a growth per month of 5, +500 %).\n"
	"\n"
	"example: capsim validate scenarios/shop.json\n";

/* A duration as a person writes it: whole days, hours, minutes or seconds when the value is
 * one ("30 d", "1 min"), else four significant digits with a unit chosen by size. */
static void format_duration(double s, char *buf, size_t size)
{
	static const struct {
		double seconds;
		const char *unit;
	} units[] = { { 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" }, { 1e-3, "ms" } };
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		double v = s / units[i].seconds;
		if (v >= 1 && fabs(v - nearbyint(v)) < 1e-9 * v) {
			snprintf(buf, size, "%.0f %s", v, units[i].unit);
			return;
		}
	}
	snprintf(buf, size, "%.4g s", s);
}

int cmd_validate(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("validate", "expected one or more scenario files; see "
				       "'capsim help validate'");
	for (int i = 1; i < argc; i++) {
		struct scenario sc;
		struct scenario_error err;
		int rc = scenario_load(argv[i], &sc, &err);
		if (rc == CAPSIM_ENOMEM) {
			fprintf(stderr, "capsim validate: %s: %s\n", argv[i], capsim_strerror(rc));
			return EXIT_FAIL;
		}
		if (rc) {
			fprintf(stderr, "%s\n", err.msg);
			return EXIT_USAGE;
		}
		char horizon[32], step[32];
		format_duration(sc.horizon, horizon, sizeof horizon);
		format_duration(sc.step, step, sizeof step);
		printf("%s: ok (%s: %zu tier%s, %zu region%s, horizon %s, step %s, %d replication%s)\n",
		       argv[i], sc.name, sc.ntiers, sc.ntiers == 1 ? "" : "s", sc.nregions,
		       sc.nregions == 1 ? "" : "s", horizon, step, sc.replications,
		       sc.replications == 1 ? "" : "s");
		char notes[2048];
		if (scenario_network_notes(&sc, notes, sizeof notes))
			fputs(notes, stdout);
		if (scenario_value_notes(&sc, notes, sizeof notes))
			fputs(notes, stdout);
		scenario_release(&sc);
	}
	return EXIT_OK;
}
