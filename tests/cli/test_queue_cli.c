/* `capsim queue` end to end: the binary run as a user runs it, its JSON against hand values. */
#include <cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "sim/version.h"
#include "tests/cli/run.h"

static cJSON *run_json(const char *const *argv, struct cli_result *r)
{
	run_capsim(argv, r);
	cr_assert_eq(r->status, 0, "exit %d, stderr: %s", r->status, r->err);
	cJSON *j = cJSON_Parse(r->out);
	cr_assert_not_null(j, "not JSON: %s", r->out);
	return j;
}

static double num(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	cr_assert(cJSON_IsNumber(v), "key %s missing or not a number", key);
	return v->valuedouble;
}

static void assert_rel(double got, double want, double rel, const char *what)
{
	cr_assert(fabs(got - want) <= rel * fabs(want), "%s: got %.12g, want %.12g", what, got,
		  want);
}

Test(queue_cli, json_matches_erlang_table_for_ten_servers)
{
	/* c = 10, lambda = 9/s, S = 1 s: a = 9 erlangs. Erlang B by the exact recursion in
	 * rationals: B(10, 9) = 43046721/256286581 = 0.167963...; Erlang C = c B/(c - a(1-B))
	 * = 43046721/64370707 = 0.668732... (the textbook table value 0.6687);
	 * Wq = C/(c mu - lambda) = C/1 s; W = C + 1 s. */
	const char *argv[] = { "queue", "--servers", "10", "--arrival-rate", "9",
			       "--service-time", "1s", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	double b = 43046721.0 / 256286581.0, c = 43046721.0 / 64370707.0;
	assert_rel(num(j, "utilization"), 0.9, 1e-12, "utilization");
	assert_rel(num(j, "erlang_b"), b, 1e-9, "erlang_b");
	assert_rel(num(j, "erlang_c"), c, 1e-9, "erlang_c");
	assert_rel(num(j, "wait_mean_s"), c, 1e-9, "wait_mean_s");
	assert_rel(num(j, "response_mean_s"), c + 1, 1e-9, "response_mean_s");
	/* the percentiles exist and are ordered */
	double p50 = num(j, "response_p50_s"), p95 = num(j, "response_p95_s"),
	       p99 = num(j, "response_p99_s");
	cr_assert(0 < p50 && p50 < p95 && p95 < p99);
	cJSON_Delete(j);
	cli_result_release(&r);
}

Test(queue_cli, mm1_percentiles_are_exponential_quantiles)
{
	/* M/M/1, lambda = 0.5, S = 1: the sojourn time is Exp(mu - lambda = 0.5), so the
	 * p-quantile is -ln(1-p)/0.5: p50 = 2 ln 2, p95 = 2 ln 20, p99 = 2 ln 100,
	 * p99.9 = 2 ln 1000. Service time given in milliseconds to exercise the units. */
	const char *argv[] = { "queue", "--servers", "1", "--arrival-rate", "0.5",
			       "--service-time", "1000ms", "--percentile", "99.9", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	assert_rel(num(j, "erlang_c"), 0.5, 1e-12, "erlang_c = rho");
	assert_rel(num(j, "response_p50_s"), 2 * log(2.0), 1e-6, "p50");
	assert_rel(num(j, "response_p95_s"), 2 * log(20.0), 1e-6, "p95");
	assert_rel(num(j, "response_p99_s"), 2 * log(100.0), 1e-6, "p99");
	assert_rel(num(j, "response_p99.9_s"), 2 * log(1000.0), 1e-6, "p99.9");
	cJSON_Delete(j);
	cli_result_release(&r);
}

Test(queue_cli, sizing_finds_the_smallest_server_count)
{
	/* lambda = 0.5, S = 1, target p99 <= 9 s. One server: p99 = 2 ln 100 = 9.21 s > 9.
	 * Two servers: a = 0.5, B(2) = (0.5/3)/(2 + 0.5/3) = 1/13, C = (2/13)/(2 - 0.5*12/13)
	 * = 0.1, theta = 2 - 0.5 = 1.5, so P(W > t) = 0.9 e^-t + 0.1 (1.5 e^-t - e^-1.5t)/0.5
	 * = 1.2 e^-t - 0.2 e^-1.5t, which is 0.01 at t = 4.77204 (bisection): p99 <= 9. */
	const char *argv[] = { "queue", "--arrival-rate", "0.5", "--service-time", "1",
			       "--target-p99", "9", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	cr_assert_eq(num(j, "servers_needed"), 2);
	cr_assert_eq(num(j, "servers"), 2, "without --servers the sized count is reported");
	assert_rel(num(j, "erlang_c"), 0.1, 1e-9, "erlang_c at 2 servers");
	assert_rel(num(j, "response_p99_s"), 4.77204047, 1e-6, "p99 at 2 servers");
	cJSON_Delete(j);
	cli_result_release(&r);
}

Test(queue_cli, sizing_for_a_percentile_reports_that_percentile)
{
	/* M/M/1 at lambda = 0.5, S = 1: the response time is Exp(0.5), p99.9 = 2 ln 1000 =
	 * 13.8155 s, within a 14 s target (one server suffices). The answer must show the
	 * p99.9 it sized for, as --percentile 99.9 would. */
	const char *argv[] = { "queue", "--arrival-rate", "0.5", "--service-time", "1",
			       "--target-percentile", "99.9", "--target", "14", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	cr_assert_eq(num(j, "servers_needed"), 1);
	assert_rel(num(j, "response_p99.9_s"), 2 * log(1000.0), 1e-6, "p99.9");
	cJSON_Delete(j);
	cli_result_release(&r);

	const char *table[] = { "queue", "--arrival-rate", "0.5", "--service-time", "1",
				"--target-percentile", "99.9", "--target", "14", NULL };
	run_capsim(table, &r);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_not_null(strstr(r.out, "response p99.9"), "no p99.9 row:\n%s", r.out);
	cli_result_release(&r);
}

Test(queue_cli, too_many_percentiles_are_refused_not_dropped)
{
	/* 16 percentiles fit (QSIM_MAX_PERCENTILES). 14 of the user's own plus p50, p95, p99
	 * make 17: refused with exit 2, where p99 used to be dropped without a word. 13 plus
	 * the three make 16 and all are reported. */
	const char *argv[40] = { "queue", "--servers", "2", "--arrival-rate", "1",
				 "--service-time", "1", "--json" };
	static const char *const own[] = { "10", "20", "30", "40", "60", "70", "80",
					    "85", "90", "91", "92", "93", "94", "96" };
	int n = 8;
	for (int i = 0; i < 14; i++) {
		argv[n++] = "--percentile";
		argv[n++] = own[i];
	}
	argv[n] = NULL;
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 2, "exit %d, stdout: %.200s", r.status, r.out);
	cr_assert_not_null(strstr(r.err, "at most 16 percentiles"), "stderr: %s", r.err);
	cli_result_release(&r);

	argv[n - 2] = NULL;   /* the 14th dropped: 13 + 3 */
	cJSON *j = run_json(argv, &r);
	cr_assert_gt(num(j, "response_p99_s"), num(j, "response_p93_s"));
	cr_assert_gt(num(j, "response_p50_s"), num(j, "response_p40_s"));
	cJSON_Delete(j);
	cli_result_release(&r);
}

Test(queue_cli, unstable_queue_has_no_numbers)
{
	const char *argv[] = { "queue", "--servers", "10", "--arrival-rate", "10",
			       "--service-time", "1", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "stable")));
	assert_rel(num(j, "utilization"), 1.0, 1e-12, "utilization");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "erlang_c")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "wait_mean_s")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "response_p99_s")));
	cJSON_Delete(j);
	cli_result_release(&r);

	const char *text[] = { "queue", "--servers", "10", "--arrival-rate", "12",
			       "--service-time", "1", NULL };
	run_capsim(text, &r);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "unstable"), "the table says unstable: %s", r.out);
	cr_assert(strstr(r.out, "13 servers"), "and how many servers stability needs: %s", r.out);
	cli_result_release(&r);
}

Test(queue_cli, simulate_reports_intervals)
{
	const char *argv[] = { "queue", "--servers", "2", "--arrival-rate", "1", "--service-time",
			       "1", "--simulate", "40000", "--reps", "4", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	const cJSON *sim = cJSON_GetObjectItem(j, "simulated");
	cr_assert(cJSON_IsObject(sim));
	cr_assert_eq(num(sim, "customers"), 40000);
	const cJSON *w = cJSON_GetObjectItem(sim, "wait_mean_s");
	cr_assert(num(w, "ci95_low") <= num(w, "mean") && num(w, "mean") <= num(w, "ci95_high"));
	cr_assert(cJSON_IsObject(cJSON_GetObjectItem(sim, "response_p99_s")));
	cJSON_Delete(j);
	cli_result_release(&r);
}

Test(queue_cli, sizing_for_two_targets_meets_both)
{
	/* lambda = 0.5, S = 1: p99 <= 9 s needs 2 servers (sizing_finds_the_smallest_server_count);
	 * P(wait) <= 0.05 needs 3: at 2 servers C = 0.1; at 3, B3 = a B2 / (3 + a B2) with
	 * B2 = 1/13 gives (1/26)/(79/26) = 1/79, and C = 3 B / (3 - a (1 - B)) = (3/79)/(198/79)
	 * = 1/66 = 0.01515. The table is then for 3 servers, where both targets hold. */
	const char *argv[] = { "queue", "--arrival-rate", "0.5", "--service-time", "1",
			       "--target-p99", "9", "--target-wait-prob", "0.05", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	cr_assert_eq(num(j, "servers_needed"), 2);
	cr_assert_eq(num(j, "servers_needed_for_wait_prob"), 3);
	cr_assert_eq(num(j, "servers"), 3, "the sized count meets both targets");
	assert_rel(num(j, "erlang_c"), 1.0 / 66.0, 1e-9, "erlang_c at 3 servers");
	cJSON_Delete(j);
	cli_result_release(&r);
}

/* A percentile target no count can meet (p99 <= 50 ms when the service time's own p99 is
 * 100 ms × ln 100 = 460 ms) beside a wait target that can be: the table is for the wait
 * target's count and says the other is not met, rather than "both targets". */
Test(queue_cli, an_unreachable_target_beside_a_reachable_one_is_not_called_met)
{
	const char *argv[] = { "queue", "--arrival-rate", "100", "--service-time", "100ms",
			       "--target-p99", "50ms", "--target-wait-prob", "0.1", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_expect(strstr(r.out, "(sized to meet the wait target; none meets the other)"), "%s",
		  r.out);
	cr_expect(!strstr(r.out, "both targets"), "%s", r.out);
	cr_expect(strstr(r.out, "no server count gives"), "%s", r.out);
	cr_expect_eq(r.status, 3, "an unmeetable target exits 3, as optimize does: %d", r.status);
	cli_result_release(&r);
}

/* The same unreachable target alone (p99 <= 50 ms, the service time's own p99 460 ms): no
 * table to print, a one-line reason and the status optimize gives an unmeetable target. */
Test(queue_cli, an_unreachable_target_alone_exits_3)
{
	const char *argv[] = { "queue", "--arrival-rate", "100", "--service-time", "100ms",
			       "--target-p99", "50ms", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_expect_eq(r.status, 3, "exit %d: %s", r.status, r.err);
	cr_expect(strstr(r.err, "no server count gives p99 <= 50"), "%s", r.err);
	cli_result_release(&r);
}

/* A stable queue near saturation is not printed as at 1: 10 servers of 100 ms at 99.9999
 * req/s run at rho = 0.999999, which four decimals would round to 1.0000 (as an unstable one
 * reads); Erlang C, 1 - about 4e-6, likewise. */
Test(queue_cli, a_utilisation_just_below_one_is_not_printed_as_one)
{
	const char *argv[] = { "queue", "--servers", "10", "--arrival-rate", "99.9999",
			       "--service-time", "100ms", NULL };
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 0);
	cr_expect(strstr(r.out, "utilisation            0.999999"), "%s", r.out);
	cr_expect(!strstr(r.out, "1.0000"), "%s", r.out);
	cli_result_release(&r);
}

/* The simulated object's interval named `key`, checked to lie inside [lo, hi]. */
static void assert_interval_within(const cJSON *sim, const char *key, double lo, double hi)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(sim, key);
	cr_assert(cJSON_IsObject(o), "simulated.%s missing", key);
	double low = num(o, "ci95_low"), mean = num(o, "mean"), high = num(o, "ci95_high");
	cr_assert(lo <= low && low <= mean && mean <= high && high <= hi,
		  "%s: [%g, %g] around %g outside [%g, %g]", key, low, high, mean, lo, hi);
}

Test(queue_cli, short_simulation_keeps_fractions_in_range)
{
	/* The new user's command: 500 customers at rho = 0.9, 50 per replication, whose
	 * utilisation interval once ended at 1.0062. Fractions stay in [0, 1], times >= 0.
	 * Default warm-up: the largest of 1000, 50/10 and five relaxation times, where the
	 * relaxation time in customers is lambda (ca2 + cs2)/2 / (sqrt(c/S) - sqrt(lambda))^2
	 * = 90 / (10 - sqrt 90)^2 = 90 / 0.513167^2 = 341.763, so ceil(1708.81) = 1709. */
	const char *argv[] = { "queue", "--servers", "10", "--arrival-rate", "90",
			       "--service-time", "100ms", "--simulate", "500", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	const cJSON *sim = cJSON_GetObjectItem(j, "simulated");
	assert_interval_within(sim, "utilization", 0, 1);
	assert_interval_within(sim, "erlang_c", 0, 1);
	assert_interval_within(sim, "wait_mean_s", 0, INFINITY);
	assert_interval_within(sim, "response_mean_s", 0, INFINITY);
	assert_interval_within(sim, "response_p99_s", 0, INFINITY);
	cr_assert_eq(num(sim, "customers_per_replication"), 50);
	assert_rel(num(sim, "relaxation_customers"), 341.763, 1e-5, "relaxation");
	cr_assert_eq(num(sim, "warmup_customers"), 1709);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(sim, "short_replications")),
		  "50 customers are fewer than 500 relaxation times");
	cJSON_Delete(j);
	cli_result_release(&r);
}

static double warmup_of(const char *simulate)
{
	/* c = 2, lambda = 1, S = 1: relaxation 1 / (sqrt 2 - 1)^2 = 3 + 2 sqrt 2 = 5.83 customers,
	 * so five of them (29.1) never set this queue's warm-up. */
	const char *argv[] = { "queue", "--servers", "2", "--arrival-rate", "1", "--service-time",
			       "1", "--simulate", simulate, "--reps", "4", "--json", NULL };
	struct cli_result r;
	cJSON *j = run_json(argv, &r);
	double w = num(cJSON_GetObjectItem(j, "simulated"), "warmup_customers");
	cJSON_Delete(j);
	cli_result_release(&r);
	return w;
}

Test(queue_cli, default_warmup_is_the_largest_of_its_three_rules)
{
	/* 20000 / 4 = 5000 per replication: a tenth is 500, so the floor of 1000 holds. */
	cr_assert_eq(warmup_of("20000"), 1000);
	/* 60000 / 4 = 15000: a tenth, 1500, is above 1000. (Five relaxation times setting it is
	 * short_simulation_keeps_fractions_in_range's 1709.) */
	cr_assert_eq(warmup_of("60000"), 1500);
}

static int short_note_for(const char *simulate, struct cli_result *r)
{
	const char *argv[] = { "queue", "--servers", "10", "--arrival-rate", "90",
			       "--service-time", "100ms", "--ca2", "0.5", "--cs2", "2", "--simulate",
			       simulate, "--reps", "2", NULL };
	run_capsim(argv, r);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	return strstr(r->out, "note:") != NULL;
}

Test(queue_cli, short_replication_note_says_what_is_enough)
{
	/* G/G/10 at rho = 0.9 with ca2 = 0.5, cs2 = 2: the M/M/10 relaxation of 341.763 customers
	 * (short_simulation_keeps_fractions_in_range) times the variability (0.5 + 2)/2 = 1.25,
	 * so 427.20375 customers. The note fires below 500 of them, 213601.9 customers per
	 * replication, and advises that rounded up to two figures, 220000 per replication: with
	 * 2 replications, --simulate 440000. */
	struct cli_result r;
	cr_assert(short_note_for("4000", &r), "2000 per replication is short: %s", r.out);
	cr_assert(strstr(r.out, "2000 customers per replication"), "says what is short: %s", r.out);
	cr_assert(strstr(r.out, "about 213602 customers"), "says the threshold: %s", r.out);
	cr_assert(strstr(r.out, "--simulate 440000 with --reps 2 gives 220000 per"),
		  "says the option that is enough: %s", r.out);
	cli_result_release(&r);
	/* Following the advice silences the note, and the threshold sits where it says:
	 * 213601 per replication is below 213601.9, 213602 is not. */
	cr_assert_not(short_note_for("440000", &r), "the advice is enough: %s", r.out);
	cli_result_release(&r);
	cr_assert(short_note_for("427202", &r), "213601 per replication is short: %s", r.out);
	cli_result_release(&r);
	cr_assert_not(short_note_for("427204", &r), "213602 per replication is not: %s", r.out);
	cli_result_release(&r);
}

/* Each bad argument: exit 2, nothing on stdout, one line on stderr naming the problem. */
static void assert_usage_error(const char *const *argv, const char *needle)
{
	struct cli_result r;
	run_capsim(argv, &r);
	cr_assert_eq(r.status, 2, "exit %d for %s", r.status, needle);
	cr_assert_str_empty(r.out);
	cr_assert(strstr(r.err, needle), "stderr \"%s\" should mention \"%s\"", r.err, needle);
	char *nl = strchr(r.err, '\n');
	cr_assert(nl && nl[1] == '\0', "one line: \"%s\"", r.err);
	cli_result_release(&r);
}

Test(queue_cli, bad_arguments_exit_2_with_one_line)
{
	const char *a1[] = { "queue", "--servers", "abc", "--arrival-rate", "1",
			     "--service-time", "1", NULL };
	assert_usage_error(a1, "--servers: expected a whole number >= 1, got \"abc\"");
	const char *a2[] = { "queue", "--servers", "2", "--service-time", "1", NULL };
	assert_usage_error(a2, "--arrival-rate is required");
	const char *a3[] = { "queue", "--sevrers", "2", NULL };
	assert_usage_error(a3, "unknown option --sevrers");
	const char *a4[] = { "queue", "--servers", "2", "--arrival-rate", "1", "--service-time",
			     "1", "--percentile", "100", NULL };
	assert_usage_error(a4, "--percentile: expected a percentile in (0,100)");
	const char *a5[] = { "queue", "--servers", "2", "--arrival-rate", "1", "--service-time",
			     "-1", NULL };
	assert_usage_error(a5, "--service-time: expected a duration > 0");
	const char *a6[] = { "queue", "--servers", "2.5", "--arrival-rate", "1", "--service-time",
			     "1", NULL };
	assert_usage_error(a6, "--servers");
	const char *a7[] = { "queue", "--servers", NULL };
	assert_usage_error(a7, "--servers: expected a value");
	const char *a8[] = { "nosuchcommand", NULL };
	assert_usage_error(a8, "'nosuchcommand' is not a command");
	/* Values the models refuse are refused here, not as "invalid argument" with status 1:
	 * an SCV above the model's 100, a load that overflows, more servers or customers than
	 * the simulation takes. */
	const char *a9[] = { "queue", "--servers", "2", "--arrival-rate", "1", "--service-time",
			     "1", "--cs2", "101", NULL };
	assert_usage_error(a9, "--cs2: expected a squared coefficient of variation in [0, 100]");
	const char *a10[] = { "queue", "--servers", "2", "--arrival-rate", "1e308",
			      "--service-time", "1e308", NULL };
	assert_usage_error(a10, "--arrival-rate times --service-time overflows");
	const char *a11[] = { "queue", "--servers", "2000000", "--arrival-rate", "1",
			      "--service-time", "1", "--simulate", "20", NULL };
	assert_usage_error(a11, "--simulate: at most 1000000 servers");
	const char *a12[] = { "queue", "--servers", "2", "--arrival-rate", "1", "--service-time",
			      "1", "--simulate", "1e30", NULL };
	assert_usage_error(a12, "--simulate: at most 1e15 customers per replication");
}

Test(queue_cli, help_and_version)
{
	struct cli_result r;
	const char *v[] = { "--version", NULL };
	run_capsim(v, &r);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "capsim " CAPSIM_VERSION "\n");
	cli_result_release(&r);

	const char *h[] = { "help", NULL };
	run_capsim(h, &r);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "  queue "), "help lists the queue command: %s", r.out);
	cli_result_release(&r);

	const char *hq[] = { "help", "queue", NULL };
	run_capsim(hq, &r);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--target-p99"), "help queue shows its options");
	cli_result_release(&r);
}
