/* `capsim init`: writes a commented starter scenario that validates, never overwriting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/scenario.h"

const char cmd_init_usage[] =
	"usage: capsim init [NAME]\n"
	"\n"
	"Writes NAME.json (default: scenario.json) in the current folder: a starter scenario\n"
	"with a \"_comment\" on each section explaining its fields. It validates as written;\n"
	"edit it, then check it with 'capsim validate NAME.json'. NAME is also the scenario's\n"
	"name, so it may hold letters, digits, '.', '_' and '-' only. An existing file is\n"
	"never overwritten (exit status 2).\n"
	"\n"
	"example: capsim init shop\n";

/* The starter, cut where the scenario's name goes. JSON has no comments, so "_comment"
 * keys carry them; the loader ignores keys starting with "_comment" at every level. */
static const char starter_head[] =
	"{\n"
	"  \"_comment\": \"A capsim scenario (format v1). Every field is described in "
	"scenarios/README.md. Durations: 250ms, 90s, 5m, 2h, 30d, 1y or a number of seconds. "
	"Money: USD.\",\n"
	"  \"name\": \"";
static const char starter_tail[] =
	"\",\n"
	"  \"version\": 1,\n"
	"  \"horizon\": \"30d\",\n"
	"  \"step\": \"1m\",\n"
	"  \"seed\": 1,\n"
	"  \"replications\": 20,\n"
	"\n"
	"  \"slo\": {\n"
	"    \"_comment\": \"99.9% of requests served; the 99th percentile of latency under "
	"300 ms.\",\n"
	"    \"availability\": 0.999,\n"
	"    \"latency_percentile\": 99,\n"
	"    \"latency_target\": \"300ms\"\n"
	"  },\n"
	"  \"budget_monthly\": 5000,\n"
	"\n"
	"  \"traffic\": {\n"
	"    \"_comment\": \"Mean rate in requests/s, a daily sine peaking at 18:00 UTC, quieter "
	"weekends, 3% growth a month, and lognormal noise (sigma of the log).\",\n"
	"    \"base_rate\": 200,\n"
	"    \"daily\": { \"amplitude\": 0.4, \"peak_hour\": 18 },\n"
	"    \"weekly\": { \"weekend_factor\": 0.8 },\n"
	"    \"growth_per_month\": 0.03,\n"
	"    \"noise\": 0.1\n"
	"  },\n"
	"\n"
	"  \"regions\": [\n"
	"    { \"name\": \"eu-west-1\", \"zones\": [\"a\", \"b\"] }\n"
	"  ],\n"
	"\n"
	"  \"tiers\": [\n"
	"    {\n"
	"      \"_comment\": \"The first tier receives the users' requests and calls the next "
	"one. Capacity of one instance = concurrency / service_time = 250 requests/s. m6i.large "
	"and its prices in each region (on demand, reserved, savings plans, spot) come from the "
	"bundled catalog, models/data/prices.csv: no need to declare it; declare instance_types "
	"to use a type or a price of your own.\",\n"
	"      \"name\": \"web\",\n"
	"      \"instance_type\": \"m6i.large\",\n"
	"      \"service_time\": \"40ms\",\n"
	"      \"concurrency\": 10,\n"
	"      \"calls\": \"db\",\n"
	"      \"boot_time\": { \"median\": \"60s\", \"p95\": \"120s\" },\n"
	"      \"autoscaling\": {\n"
	"        \"_comment\": \"Per region: keep utilisation near 60%, between 2 and 10 "
	"instances.\",\n"
	"        \"min\": 2,\n"
	"        \"max\": 10,\n"
	"        \"target_tracking\": { \"target\": 0.6 }\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"_comment\": \"A fixed pair of database replicas, 2 queries per user request.\",\n"
	"      \"name\": \"db\",\n"
	"      \"instance_type\": \"m6i.large\",\n"
	"      \"capacity_rps\": 800,\n"
	"      \"visits\": 2,\n"
	"      \"autoscaling\": { \"min\": 2, \"max\": 2 }\n"
	"    }\n"
	"  ]\n"
	"}\n";

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= SCENARIO_NAME_MAX && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int cmd_init(int argc, char **argv)
{
	static const char C[] = "init";
	if (argc > 2)
		return cli_usage_error(C, "expected at most one NAME; see 'capsim help init'");
	char name[SCENARIO_NAME_MAX + 1] = "scenario";
	if (argc == 2) {
		const char *arg = argv[1];
		size_t n = strlen(arg);
		if (n > 5 && strcmp(arg + n - 5, ".json") == 0)
			n -= 5;   /* "capsim init shop.json" means the same as "capsim init shop" */
		if (n > SCENARIO_NAME_MAX)
			n = SCENARIO_NAME_MAX + 1;   /* too long: rejected below */
		char tmp[SCENARIO_NAME_MAX + 2];
		memcpy(tmp, arg, n < sizeof tmp ? n : sizeof tmp - 1);
		tmp[n < sizeof tmp ? n : sizeof tmp - 1] = '\0';
		if (!valid_name(tmp))
			return cli_usage_error(C, "expected a NAME of letters, digits, '.', '_' or '-' "
					       "(at most %d characters), got \"%s\"",
					       SCENARIO_NAME_MAX, arg);
		memcpy(name, tmp, strlen(tmp) + 1);
	}
	char path[SCENARIO_NAME_MAX + 8], tmp_path[SCENARIO_NAME_MAX + 32];
	snprintf(path, sizeof path, "%s.json", name);
	if (access(path, F_OK) == 0)
		return cli_usage_error(C, "%s already exists; not overwritten (remove it or choose "
				       "another NAME)", path);

	/* Write under a temporary name, then link it into place: link() fails if the name has
	 * appeared meanwhile, so an existing file is never replaced, and a reader never sees a
	 * half-written scenario. */
	snprintf(tmp_path, sizeof tmp_path, ".%s.json.XXXXXX", name);
	int fd = mkstemp(tmp_path);
	if (fd < 0) {
		fprintf(stderr, "capsim init: cannot create a file in the current folder: %s\n",
			strerror(errno));
		return EXIT_FAIL;
	}
	/* mkstemp creates the file 0600; give it the mode any new file gets (0666 & ~umask). */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	FILE *f = fdopen(fd, "w");
	int ok = f && fputs(starter_head, f) >= 0 && fputs(name, f) >= 0 &&
		 fputs(starter_tail, f) >= 0;
	int saved = errno;
	if (f ? fclose(f) != 0 : close(fd) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "capsim init: cannot write %s: %s\n", tmp_path, strerror(saved));
		unlink(tmp_path);
		return EXIT_FAIL;
	}
	if (link(tmp_path, path) != 0) {
		saved = errno;
		unlink(tmp_path);
		if (saved == EEXIST)
			return cli_usage_error(C, "%s already exists; not overwritten", path);
		fprintf(stderr, "capsim init: cannot create %s: %s\n", path, strerror(saved));
		return EXIT_FAIL;
	}
	unlink(tmp_path);
	printf("wrote %s; check it with 'capsim validate %s'\n", path, path);
	return EXIT_OK;
}
