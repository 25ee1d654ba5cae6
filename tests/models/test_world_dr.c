/* Disaster recovery in the fluid model: with deterministic timings, each strategy's measured
 * RTO equals the sum of its steps, the RPO equals the replication lag (or the time since the
 * last backup), and failback restores the original placement. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/run.h"
#include "models/scenario.h"

static void parse(const char *json, struct scenario *sc)
{
	struct scenario_error err;
	int rc = scenario_parse(json, strlen(json), NULL, sc, &err);
	cr_assert_eq(rc, 0, "scenario: %s", err.msg);
}

static double metric(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	cr_assert_not_null(m, "metric %s", name);
	return m->stat.mean;
}

/* Two regions p and r, users split evenly between them; web -> db, each 2 instances of
 * 1,000 req/s against 500 req/s of users; boots take exactly 2 minutes. Region p goes down at
 * `at` for an hour. Health checks every 30 s, 3 failures to declare it down; DNS TTL 60 s;
 * decision 5 minutes (active-active: 0); promotion 2 minutes. Replication lag exactly 2 s,
 * 100 writes/s; backups every 24 h; 10 GB restored at 600 GB/h (60 s). */
static char *dr_scenario(const char *strategy, const char *extra, const char *at)
{
	char *json = malloc(8192);
	int aa = strcmp(strategy, "active_active") == 0;
	snprintf(json, 8192,
		 "{ \"name\": \"dr\", \"version\": 1, \"horizon\": \"2d\", \"step\": \"1m\","
		 "  \"slo\": { \"availability\": 0.999, \"latency_percentile\": 99,"
		 "           \"latency_target\": \"5s\" },"
		 "  \"traffic\": { \"base_rate\": 500, \"regions\": { \"p\": 0.5, \"r\": 0.5 } },"
		 "  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		 "                          \"price_hourly\": 0.1 } ],"
		 "  \"regions\": [ { \"name\": \"p\", \"zones\": [\"a\", \"b\"] },"
		 "                 { \"name\": \"r\", \"zones\": [\"a\", \"b\"] } ],"
		 "  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		 "      \"calls\": \"db\", \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		 "      \"autoscaling\": { \"min\": 2, \"max\": 2 } },"
		 "    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		 "      \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" },"
		 "      \"autoscaling\": { \"min\": 2, \"max\": 2 } } ],"
		 "  \"failures\": { \"scripted\": [ { \"target\": \"region:p\", \"at\": \"%s\","
		 "                                 \"duration\": \"1h\" } ] },"
		 "  \"dr\": { \"strategy\": \"%s\", %s"
		 "          \"health_check\": { \"interval\": \"30s\", \"failure_threshold\": 3 },"
		 "          \"dns_ttl\": \"60s\", \"promotion_time\": \"2m\" %s },"
		 "  \"data\": { \"write_rate\": 100, \"lag\": { \"median\": \"2s\", \"p95\": \"2s\" },"
		 "            \"backup_interval\": \"24h\", \"size_gb\": 10,"
		 "            \"restore_gb_per_hour\": 600 } }",
		 at, strategy,
		 aa ? "" : "\"primary\": \"p\", \"recovery\": \"r\", \"decision_delay\": \"5m\",",
		 extra);
	return json;
}

static void run_one(const char *json, struct run_result *r, struct scenario *sc)
{
	parse(json, sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1, .bucket = 60 };
	cr_assert_eq(run_simulate(sc, &o, r), 0);
}

/* Warm standby at full scale: detection 86,400 + 2 × 30 = 86,460 s (the check at 86,400
 * fails first), decision +300 = 86,760, promotion +120 = 86,880 (DNS switched), TTL +60 =
 * 86,940: every user is on the recovery region, whose full-size copy serves them. RTO =
 * 60 + 300 + 120 + 60 = 540 s. RPO = the 2 s replication lag = 200 writes. */
Test(world_dr, warm_standby_rto_is_detection_decision_promotion_ttl)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1d");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rto"), 540, 1e-9);
	cr_assert_float_eq(metric(&r, "rpo"), 2, 1e-12);
	cr_assert_float_eq(metric(&r, "rpo_writes"), 200, 1e-9);
	/* Users lost: those DNS still sent to p. From 86,400 to 86,880 all 500 req/s; over the
	 * TTL the share still on p falls from 1 to 0 a minute-step at a time: the step at 86,880
	 * still sends everyone (the answers expire over it). 9 steps × 60 s × 500 = 270,000. */
	cr_assert_float_eq(metric(&r, "requests_failed"), 270000, 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Four replications of the warm standby above: four outages, each with RTO 540 s, all
 * within a 10-minute target. The share meeting it is 1, but four outages do not show it is
 * 1: its Wilson interval is [4/(4 + z^2), 1] = [4/7.841459, 1] = [0.5101092, 1]. The p99
 * of four values is the largest, 540; the order statistics bound it below by the 3rd value
 * (P(B <= 2) = 0.000592 <= 0.025 for B ~ Bin(4, 0.99)), 540 as well, and cannot bound it
 * above (P(B >= 4) = 0.99^4 = 0.961 > 0.025): inf. */
Test(world_dr, few_outages_give_honest_intervals_for_the_share_and_the_tail)
{
	char *json = dr_scenario("warm_standby",
				 ", \"standby_scale\": 1, \"rto_target\": \"10m\"", "1d");
	struct scenario sc;
	struct run_result r;
	parse(json, &sc);
	struct run_options o = { .seed = 1, .reps = 4, .threads = 2, .bucket = 3600 };
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	const struct run_metric *met = run_find_metric(&r, "rto_target_met");
	cr_assert_not_null(met);
	cr_assert_eq(met->stat.mean, 1.0);
	cr_assert_float_eq(met->stat.ci95_low, 0.5101092, 1e-6);
	cr_assert_eq(met->stat.ci95_high, 1.0);
	const struct run_metric *p99 = run_find_metric(&r, "rto_p99");
	cr_assert_not_null(p99);
	cr_assert_float_eq(p99->stat.mean, 540, 1e-9);
	cr_assert_float_eq(p99->stat.ci95_low, 540, 1e-9);
	cr_assert(isinf(p99->stat.ci95_high) && p99->stat.ci95_high > 0, "%g",
		  p99->stat.ci95_high);
	cr_assert_float_eq(p99->stat.p95, 540, 1e-9);
	/* Every outage recovered: the mean RTO's interval is a plain one, 540 [540, 540]. */
	cr_assert_float_eq(run_find_metric(&r, "rto")->stat.ci95_high, 540, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Pilot light: the compute in r is off and the database replica runs. At the decision
 * (86,760) the compute launches; the runbook waits the boot p95 (120 s) and the promotion
 * (120 s), then switches DNS at 87,000; +60 s TTL = 87,060. RTO = 60 + 300 + 120 + 120 + 60 =
 * 660 s. */
Test(world_dr, pilot_light_rto_adds_the_boot)
{
	char *json = dr_scenario("pilot_light", "", "1d");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rto"), 660, 1e-9);
	cr_assert_float_eq(metric(&r, "rpo"), 2, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Backup and restore at 1 d 5 h (104,400 s): nothing runs in r. Detection 104,460, decision
 * 104,760: everything launches; the database boots (120 s) and restores 10 GB at 600 GB/h
 * (60 s); DNS switches at 104,940; TTL +60 = 105,000. RTO = 60 + 300 + 120 + 60 + 60 = 600 s.
 * RPO = the writes since the last backup (taken at 86,400): 5 h = 18,000 s. */
Test(world_dr, backup_restore_rto_adds_boot_and_restore)
{
	char *json = dr_scenario("backup_restore", "", "29h");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rto"), 600, 1e-9);
	cr_assert_float_eq(metric(&r, "rpo"), 18000, 1e-9);
	cr_assert_float_eq(metric(&r, "rpo_writes"), 1800000, 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Active-active: both regions serve their own users. p's users fail from 86,400 until
 * detection (86,460, when p leaves DNS: no decision delay) and the TTL (86,520): RTO = 60 +
 * 0 + 60 = 120 s, and only p's half of the traffic is lost meanwhile, in the two steps at
 * 86,400 and 86,460: 250 req/s × 120 s = 30,000. */
Test(world_dr, active_active_rto_is_detection_and_ttl)
{
	char *json = dr_scenario("active_active", "", "1d");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rto"), 120, 1e-9);
	cr_assert_float_eq(metric(&r, "requests_failed"), 30000, 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Failback: after the outage (86,400 to 90,000) the primary passes its health checks (at
 * 90,000, 90,030 and 90,060), is promoted again (120 s) and takes the users back at 90,180
 * over the TTL; the
 * recovery region returns to its standby size (warm standby at 0.5: ceil(0.5 × 2) = 1 per
 * tier) once the old answers expired. In the last hour of the run: every user request on p,
 * none on r, and r's pools back at 1 instance each. */
Test(world_dr, failback_restores_the_original_placement)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 0.5", "1d");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	size_t last = r.nbuckets - 1;
	/* Series: web@p, web@r, db@p, db@r, all@p, all@r. */
	cr_assert_float_eq(run_ts(&r, last, 4, RUN_TS_DEMAND), 500, 1e-9);
	cr_assert_float_eq(run_ts(&r, last, 5, RUN_TS_DEMAND), 0, 1e-9);
	cr_assert_float_eq(run_ts(&r, last, 1, RUN_TS_INSTANCES), 1, 1e-12);
	cr_assert_float_eq(run_ts(&r, last, 3, RUN_TS_INSTANCES), 1, 1e-12);
	cr_assert_float_eq(run_ts(&r, last, 0, RUN_TS_INSTANCES), 2, 1e-12);
	/* And during the failover the recovery region carried everyone: at 1 d 30 min. */
	size_t mid = (86400 + 1800) / 60;
	cr_assert_float_eq(run_ts(&r, mid, 5, RUN_TS_DEMAND), 500, 1e-9);
	cr_assert_float_eq(run_ts(&r, mid, 1, RUN_TS_INSTANCES), 2, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Replaces the first `from` in json (malloc'd, 8192 bytes) by `to`, in place. */
static void replace(char *json, const char *from, const char *to)
{
	char *at = strstr(json, from), rest[8192];
	cr_assert_not_null(at, "no %s", from);
	snprintf(rest, sizeof rest, "%s", at + strlen(from));
	snprintf(at, 8192 - (size_t)(at - json), "%s%s", to, rest);
}

/* Active-active with every user entering at p (traffic.regions { "p": 1 }: r has no users
 * of its own, but is in DNS). When p fails its users go to r, evenly over the regions in DNS
 * since none has a share: as in active_active_rto_is_detection_and_ttl, RTO = 60 + 60 =
 * 120 s, and all 500 req/s fail in the two steps at 86,400 and 86,460: 500 × 120 = 60,000.
 * (Routed by shares alone they had nowhere to go: 500 × 3,600 = 1.8 million failed.) */
Test(world_dr, active_active_sends_users_to_a_region_with_no_share)
{
	char *json = dr_scenario("active_active", "", "1d");
	replace(json, "\"regions\": { \"p\": 0.5, \"r\": 0.5 }", "\"regions\": { \"p\": 1 }");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rto"), 120, 1e-9);
	cr_assert_float_eq(metric(&r, "requests_failed"), 60000, 1e-6);
	/* During the outage, at 1 d 30 min, r carries everyone. Series: web@p, web@r, db@p,
	 * db@r, all@p, all@r. */
	size_t mid = (86400 + 1800) / 60;
	cr_assert_float_eq(run_ts(&r, mid, 5, RUN_TS_DEMAND), 500, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* dr_scenario's scripted outage made `first` long, and a second outage of p, an hour from
 * `at2` (a duration or seconds, as the format writes it). */
static void second_outage(char *json, const char *first, const char *at2)
{
	char with[256];
	snprintf(with, sizeof with, "\"duration\": \"%s\" }, { \"target\": \"region:p\", "
		 "\"at\": %s, \"duration\": \"1h\" } ] }", first, at2);
	replace(json, "\"duration\": \"1h\" } ] }", with);
}

/* Active-active with a database that boots for 10 minutes: p is back at 90,000 s, its web
 * tier in service at 90,120 and its database at 90,600. The health checks pass from 90,060
 * (at 90,000, 90,030 and 90,060) but the region is not ready until 90,600, when its users go
 * back (the check repeats every 30 s: 90,090, ..., 90,600, after the boot that was scheduled
 * first). So no
 * request fails after the outage: only the 30,000 of active_active_rto_is_detection_and_ttl.
 * Sent back at 90,060, p's users would have failed for the 9 minutes of the boot. */
Test(world_dr, failback_waits_for_the_region_to_be_in_service)
{
	char *json = dr_scenario("active_active", "", "1d");
	replace(json, "\"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" }",
		"\"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"boot_time\": { \"median\": \"10m\", \"p95\": \"10m\" }");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "requests_failed"), 30000, 1e-6);
	const struct run_event *back = NULL;
	for (size_t i = 0; i < r.nevents && !back; i++)
		if (strcmp(r.events[i].kind, "dr_failback_dns") == 0)
			back = &r.events[i];
	cr_assert_not_null(back);
	cr_assert_float_eq(back->time, 90600, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Two outages of the primary back to back (86,400 to 90,000 and 90,000 to 93,600) are one of
 * two hours to the users: the failback the first one's end schedules (at 90,180) finds p down
 * again and does nothing; the second's end fails back at 93,780, p's pools in service since
 * 93,720. The requests lost are the failover's 270,000 of
 * warm_standby_rto_is_detection_decision_promotion_ttl, no more (sent back at 90,180, every
 * user would have failed until a second failover). */
Test(world_dr, a_failback_into_a_region_down_again_waits_for_its_end)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1d");
	second_outage(json, "1h", "\"25h\"");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "requests_failed"), 270000, 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* An outage still open at the horizon: the warm standby of the first test, with its outage at
 * 1 d (RTO 540 s, within a 10-minute target) and a second at 172,500 s, 300 s before the end:
 * not recovered, its RTO is the 300 s left, a lower bound that says nothing of the 600 s
 * target. It is left out of the target's share, which is then 1 of 1, with the Wilson
 * interval of one outage: [1/(1 + z^2), 1] = [1/4.841459, 1] = [0.2065494, 1] (with it, 2 of 2
 * would have claimed [0.3385, 1]); and half the outages are unrecovered. */
Test(world_dr, an_outage_open_at_the_horizon_is_left_out_of_the_target_share)
{
	char *json = dr_scenario("warm_standby",
				 ", \"standby_scale\": 1, \"rto_target\": \"10m\"", "1d");
	second_outage(json, "1h", "172500");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	const struct run_metric *met = run_find_metric(&r, "rto_target_met");
	cr_assert_not_null(met);
	cr_assert_eq(met->stat.mean, 1.0);
	cr_assert_float_eq(met->stat.ci95_low, 0.2065494, 1e-6);
	cr_assert_float_eq(metric(&r, "rto_unrecovered"), 0.5, 1e-12);
	/* The mean RTO and time to full capacity hold the open outage's 300 s, a lower bound:
	 * they are lower bounds too, and nothing bounds them above. */
	const struct run_metric *rto = run_find_metric(&r, "rto");
	const struct run_metric *full = run_find_metric(&r, "rto_full_capacity");
	cr_assert_not_null(rto);
	cr_assert_not_null(full);
	cr_assert_float_eq(rto->stat.mean, (540.0 + 300.0) / 2, 1e-9);
	cr_assert(isinf(rto->stat.ci95_high) && rto->stat.ci95_high > 0, "%g",
		  rto->stat.ci95_high);
	cr_assert(isinf(full->stat.ci95_high) && full->stat.ci95_high > 0, "%g",
		  full->stat.ci95_high);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);

	/* A 500 s target: the first outage (540 s) missed it, the open one (300 s so far) is
	 * unknown: 0 of 1. (Sorted, the RTOs are 300 then 540, the other way round from the
	 * outages: a share paired with the open flags in sorted order said 1 of 2.) */
	json = dr_scenario("warm_standby", ", \"standby_scale\": 1, \"rto_target\": \"500s\"",
			   "1d");
	second_outage(json, "1h", "172500");
	run_one(json, &r, &sc);
	met = run_find_metric(&r, "rto_target_met");
	cr_assert_not_null(met);
	cr_assert_eq(met->stat.mean, 0.0);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* The p99 across outages with outages open at the horizon: 200 replications of the two
 * outages above, RTO 540 s (recovered) and 300 s (open: the time left, a lower bound), so
 * 400 values, 200 of each. For B ~ Bin(400, 0.99), P(B >= 400) = 0.99^400 = 0.017951 <=
 * 0.025 < P(B >= 399) = 0.017951 + 4 × 0.99^399 = 0.090478: the upper end is the 400th
 * value, the largest; P(B <= 391) = 0.020769 <= 0.025 < P(B <= 392) = 0.050237: the lower
 * end is the 392nd, 540 (the 300s are ranks 1-200); the point, at rank 1 + 399 × 0.99 =
 * 396.01, is 540. The largest value here is 540, but the open outages' RTOs are only known
 * to exceed 300 s: any of them may be the largest, so nothing bounds the p99 above and the
 * upper end is inf (taking the lower bounds as values made it 540). */
Test(world_dr, open_outages_do_not_bound_the_rto_tail_above)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1d");
	second_outage(json, "1h", "172500");
	struct scenario sc;
	struct run_result r;
	parse(json, &sc);
	struct run_options o = { .seed = 1, .reps = 200, .threads = 2, .bucket = 86400 };
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	cr_assert_float_eq(metric(&r, "rto_unrecovered"), 0.5, 1e-12);
	const struct run_metric *p99 = run_find_metric(&r, "rto_p99");
	cr_assert_not_null(p99);
	cr_assert_float_eq(p99->stat.mean, 540, 1e-9);
	cr_assert_float_eq(p99->stat.ci95_low, 540, 1e-9);
	cr_assert(isinf(p99->stat.ci95_high) && p99->stat.ci95_high > 0, "upper end %g",
		  p99->stat.ci95_high);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Two failovers with different RPOs: the warm standby losing p 1 s into the run (RPO 1 s, all
 * written so far) and again at 1 d (RPO the 2 s lag). rpo_p99 of {1, 2}: type 7 at rank 1 +
 * 0.99 = 1.99, 1.99 s; the equal-tailed lower rank for Bin(2, 0.99) is 2 (P(B <= 1) = 0.0199
 * <= 0.025), the 2 s above that point; the interval holds its point from rank 1: [1 s, inf). */
Test(world_dr, two_outages_give_a_p99_interval_that_holds_its_point)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1");
	second_outage(json, "1h", "86400");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	const struct run_metric *p99 = run_find_metric(&r, "rpo_p99");
	cr_assert_not_null(p99);
	cr_assert_float_eq(p99->stat.mean, 1.99, 1e-9);
	cr_assert_float_eq(p99->stat.ci95_low, 1, 1e-12, "low %g", p99->stat.ci95_low);
	cr_assert(isinf(p99->stat.ci95_high));
	p99 = run_find_metric(&r, "rto_p99");
	cr_assert_not_null(p99);
	cr_assert(p99->stat.ci95_low <= p99->stat.mean && p99->stat.mean <= p99->stat.ci95_high,
		  "rto_p99 %g not in [%g, %g]", p99->stat.mean, p99->stat.ci95_low,
		  p99->stat.ci95_high);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Active-active over p, r and q with the database in p and r only (it must be in two
 * regions): q's outage loses no data, none being written there, so it has no RPO. And the
 * warm standby losing p 1 s into the run (the lag is 2 s) can lose only the second written
 * so far: RPO 1 s. */
Test(world_dr, rpo_only_where_the_data_is_and_at_most_what_was_written)
{
	const char *aa =
		"{ \"name\": \"aa3\", \"version\": 1, \"horizon\": \"1d\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 300, \"regions\": { \"p\": 0.4, \"r\": 0.3,"
		"                                                  \"q\": 0.3 } },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"p\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"q\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"web\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"calls\": \"db\", \"autoscaling\": { \"min\": 2, \"max\": 2 } },"
		"    { \"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"placement\": { \"regions\": [\"p\", \"r\"] },"
		"      \"autoscaling\": { \"min\": 2, \"max\": 2 } } ],"
		"  \"failures\": { \"scripted\": [ { \"target\": \"region:q\", \"at\": \"10h\","
		"                                 \"duration\": \"1h\" } ] },"
		"  \"dr\": { \"strategy\": \"active_active\" },"
		"  \"data\": { \"write_rate\": 10, \"lag\": { \"median\": \"2s\", \"p95\": \"2s\" } } }";
	struct scenario sc;
	struct run_result r;
	run_one(aa, &r, &sc);
	cr_assert_not_null(run_find_metric(&r, "rto"), "the outage was measured");
	cr_assert_null(run_find_metric(&r, "rpo"), "an RPO for a region without the database");
	run_result_release(&r);
	scenario_release(&sc);

	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1");
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rpo"), 1, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* A failover cancelled at `at`: one dr_failover_cancelled event there, and no switch or
 * failback in the run. */
/* A scheduled action's bounds hold in every pool of the tier from its time on, a standby
 * pool's from the failover: min 10 from 01:00 (every day) for a tier of 2 to 20 at target
 * 0.5, 200 req/s (4 instances of 100 req/s). r1 goes to 10 at 01:00, fails at 02:00 and
 * warm-standby r2 takes over: its pool may not be scaled in below 10. (The action fired
 * while r2 was in standby was dropped and the failover restored the scenario's min 2: r2
 * went down to 4.) */
Test(world_dr, a_recovery_pool_keeps_the_scheduled_bounds)
{
	const char *json =
		"{ \"name\": \"drsched\", \"version\": 1, \"horizon\": \"5h\", \"step\": \"1m\","
		"  \"traffic\": { \"base_rate\": 200 },"
		"  \"instance_types\": [ { \"name\": \"m\", \"vcpu\": 2, \"memory_gib\": 8,"
		"                          \"price_hourly\": 0.1 } ],"
		"  \"regions\": [ { \"name\": \"r1\", \"zones\": [\"a\"] },"
		"                 { \"name\": \"r2\", \"zones\": [\"a\"] } ],"
		"  \"tiers\": [ { \"name\": \"api\", \"instance_type\": \"m\", \"capacity_rps\": 100,"
		"    \"boot_time\": { \"median\": \"30s\", \"p95\": \"30s\" },"
		"    \"autoscaling\": { \"min\": 2, \"max\": 20, \"desired\": 4,"
		"      \"target_tracking\": { \"target\": 0.5 },"
		"      \"scheduled\": [ { \"at\": \"01:00\", \"min\": 10 } ] } } ],"
		"  \"failures\": { \"scripted\": [ { \"target\": \"region:r1\", \"at\": \"2h\","
		"                                    \"duration\": \"4h\" } ] },"
		"  \"dr\": { \"strategy\": \"warm_standby\", \"primary\": \"r1\", \"recovery\": \"r2\","
		"           \"data_tier\": \"api\", \"decision_delay\": \"5m\","
		"           \"promotion_time\": \"1m\" } }";
	struct scenario sc;
	parse(json, &sc);
	struct run_options o = { .seed = 1, .reps = 1, .threads = 1 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	for (size_t i = 0; i < r.nevents; i++)
		if (r.events[i].region == 1 && strcmp(r.events[i].kind, "scale_in") == 0)
			cr_assert_geq(r.events[i].value, 10, "r2 scaled in to %g at %g s (%s)",
				      r.events[i].value, r.events[i].time, r.events[i].detail);
	/* From the failover's end (7680 s) to the horizon r2 holds at least 10 instances at
	 * 0.10 USD/h: at least 10 × (18000 − 7680) / 3600 × 0.10 = 2.867 USD (at min 2 the
	 * 4 instances it needs came to 1.42 in all). */
	cr_assert_geq(metric(&r, "cost.region.r2"), 2.867, "r2 cost %g",
		      metric(&r, "cost.region.r2"));
	run_result_release(&r);
	scenario_release(&sc);
}

/* Backup and restore replicates nothing, so "replication": "sync" changes nothing: the
 * writes (100 of the 500 req/s, above the 1% beyond the p99) once waited a 70 ms round trip
 * all the same, which put 70 ms on every step's p99. The same run with async replication
 * (its lag unused) must give the same latency and cost to the last bit. */
Test(world_dr, backup_restore_waits_for_no_synchronous_round_trip)
{
	char *async = dr_scenario("backup_restore", "", "24h");
	char *sync = dr_scenario("backup_restore", "", "24h");
	replace(sync, "\"lag\": { \"median\": \"2s\", \"p95\": \"2s\" },",
		"\"replication\": \"sync\", \"sync_latency\": \"70ms\",");
	struct scenario sa, ss;
	struct run_result ra, rs;
	run_one(async, &ra, &sa);
	run_one(sync, &rs, &ss);
	cr_assert_eq(metric(&rs, "latency_p99"), metric(&ra, "latency_p99"), "%.17g against %.17g",
		     metric(&rs, "latency_p99"), metric(&ra, "latency_p99"));
	cr_assert_eq(metric(&rs, "latency_p99_overall"), metric(&ra, "latency_p99_overall"));
	cr_assert_eq(metric(&rs, "cost_total"), metric(&ra, "cost_total"));
	cr_assert_eq(metric(&rs, "rpo"), metric(&ra, "rpo"));
	run_result_release(&ra);
	run_result_release(&rs);
	scenario_release(&sa);
	scenario_release(&ss);
	free(async);
	free(sync);
}

/* Warm standby switches DNS 480 s after the outage's start (detection 60, decision 300,
 * promotion 120) and its old answers expire 60 s later: an outage 500 s before the horizon
 * switches at 172,780 s and would end its failover at 172,840, past the 172,800 s horizon.
 * No event is written past the horizon (dr_failover_end once was). */
Test(world_dr, no_event_past_the_horizon)
{
	char *json = dr_scenario("warm_standby", "", "172300s");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	int switched = 0;
	for (size_t i = 0; i < r.nevents; i++) {
		cr_assert_leq(r.events[i].time, 172800, "%s at %g s", r.events[i].kind,
			      r.events[i].time);
		switched |= strcmp(r.events[i].kind, "dr_dns_switch") == 0;
	}
	cr_assert(switched, "no DNS switch before the horizon");
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

static void assert_dr_events(const struct run_result *r, double at)
{
	size_t cancelled = 0;
	for (size_t i = 0; i < r->nevents; i++) {
		const char *k = r->events[i].kind;
		cr_assert(strcmp(k, "dr_dns_switch") != 0 && strcmp(k, "dr_failback") != 0 &&
			  strcmp(k, "dr_failback_dns") != 0, "%s at %g", k, r->events[i].time);
		if (strcmp(k, "dr_failover_cancelled") == 0) {
			cancelled++;
			cr_assert_float_eq(r->events[i].time, at, 1e-9);
		}
	}
	cr_assert_eq(cancelled, 1);
}

/* A primary outage shorter than detection and decision (3 minutes from 86,400 s; detection at
 * 86,460, decision due at 86,760): p is back at 86,580 and in service at 86,700 (2-minute
 * boots), so the failover stops there and nobody is switched: the 500 req/s fail in the
 * five steps 86,400 to 86,640, 150,000 requests, no RPO (p kept its data), and at the end
 * every user is on p. (Before, the decision and the switch ran after the failback and left
 * every user on r for good.) */
Test(world_dr, an_outage_over_before_the_switch_switches_nobody)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 0.5", "1d");
	replace(json, "\"duration\": \"1h\"", "\"duration\": \"3m\"");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "requests_failed"), 150000, 1e-6);
	cr_assert_null(run_find_metric(&r, "rpo"));
	size_t last = r.nbuckets - 1;
	cr_assert_float_eq(run_ts(&r, last, 4, RUN_TS_DEMAND), 500, 1e-9);
	cr_assert_float_eq(run_ts(&r, last, 5, RUN_TS_DEMAND), 0, 1e-9);
	/* The events say so: the failover is cancelled at the decision (86,760), and nothing
	 * fails back (the failback its end scheduled at 86,580 + 60 + 120 finds the users where
	 * they were; it logged dr_failback and dr_failback_dns before). */
	assert_dr_events(&r, 86760);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* A backup and restore whose restore outlasts the outage: 100 GB at 600 GB/h take 600 s,
 * so the switch is due at 86,760 + 120 (the database's boot) + 600 = 87,480; p is back at
 * 87,000 (a 10-minute outage) and in service at 87,120. Its failback (87,000 + 2 × 30 + 120
 * = 87,180: the checks at 87,000, 87,030 and 87,060 pass, then the promotion) finds the users never left and cancels the failover: no switch, no failback, and
 * the users fail only until p is in service: 12 steps (86,400 to 87,060) × 60 s × 500 req/s
 * = 360,000. */
Test(world_dr, a_failback_before_the_switch_cancels_the_failover)
{
	char *json = dr_scenario("backup_restore", "", "1d");
	replace(json, "\"duration\": \"1h\"", "\"duration\": \"10m\"");
	replace(json, "\"size_gb\": 10", "\"size_gb\": 100");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "requests_failed"), 360000, 1e-6);
	assert_dr_events(&r, 87180);
	size_t last = r.nbuckets - 1;
	cr_assert_float_eq(run_ts(&r, last, 4, RUN_TS_DEMAND), 500, 1e-9);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Without failback, the short outage's stopped failover must not stay "on": the primary's
 * second outage (an hour from 30 h) fails over, with the one DNS switch of the run. */
Test(world_dr, without_failback_a_stopped_failover_leaves_the_next_one_free)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1, \"failback\": false",
				 "1d");
	second_outage(json, "3m", "\"30h\"");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	size_t switches = 0;
	for (size_t i = 0; i < r.nevents; i++)
		switches += strcmp(r.events[i].kind, "dr_dns_switch") == 0;
	cr_assert_eq(switches, 1);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* The warm standby at full scale with its first outage made `first` long and a second of an
 * hour from `at2` s: the number of DNS switches of the run, and the p95 of the outages' RTOs
 * checked to be at most `rto_max`. */
static size_t two_outages(const char *first, const char *at2, double rto_max)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1d");
	second_outage(json, first, at2);
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	size_t switches = 0;
	for (size_t i = 0; i < r.nevents; i++)
		switches += strcmp(r.events[i].kind, "dr_dns_switch") == 0;
	const struct run_metric *rto = run_find_metric(&r, "rto");
	cr_assert_not_null(rto);
	cr_assert_leq(rto->stat.p95, rto_max, "%g", rto->stat.p95);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
	return switches;
}

/* A 15-second blip of the primary at 1 d, then an hour's outage from 86,500 s: the blip's
 * failover goes on while p's pools boot back (until 86,535; detection at 86,460), so when
 * the decision is due (86,760) p is down again and the users are switched: one DNS switch,
 * and no outage lasts an hour to its users. (Before, the blip's failover stopped at its
 * detection, p being up though not in service, and stayed "on": the hour's outage set off
 * none and every user failed for the hour.) */
Test(world_dr, a_blip_then_an_outage_still_fails_over)
{
	cr_assert_eq(two_outages("15s", "86500", 1000), 1);
}

/* A second outage of the primary right after its users went back (the first: 86,400 to
 * 90,000, failback at 90,180; the second from 90,240 for an hour) fails over again: two DNS
 * switches, and the second outage's RTO is a failover's (at most 540 s plus the TTL's
 * leftovers), not the hour it lasts. (Before, the first failover was still "on" until the
 * recovery region went back to standby, and the second outage set off none.) */
Test(world_dr, a_second_outage_right_after_failback_fails_over_again)
{
	cr_assert_eq(two_outages("1h", "90240", 600), 2);
}

/* Synchronous replication loses nothing (RPO 0) and every percentile request waits for the
 * commit's round trip: writes are 100 of 500 req/s, more than the 1% beyond p99, so the
 * end-to-end p99 of every step grows by the sync latency, 70 ms by default, and so does its
 * request-weighted mean: exactly 0.07 s above the same run with asynchronous replication.
 * The failover's steps are events of every replication, their value the time since the
 * outage began: detection 60 s, the old answers expired at 540 s. */
Test(world_dr, sync_replication_loses_nothing_and_adds_its_round_trip)
{
	char *async = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1d");
	char *sync = malloc(8192);
	snprintf(sync, 8192, "%s", async);
	char *lag = strstr(sync, "\"lag\": { \"median\": \"2s\", \"p95\": \"2s\" },");
	cr_assert_not_null(lag);
	const char *repl = "\"replication\": \"sync\",";
	size_t old = strlen("\"lag\": { \"median\": \"2s\", \"p95\": \"2s\" },");
	memmove(lag + strlen(repl), lag + old, strlen(lag + old) + 1);
	memcpy(lag, repl, strlen(repl));
	struct scenario sa, ss;
	struct run_result ra, rs;
	run_one(async, &ra, &sa);
	run_one(sync, &rs, &ss);
	cr_assert_float_eq(metric(&rs, "rpo"), 0, 1e-12);
	cr_assert_float_eq(metric(&rs, "latency_p99") - metric(&ra, "latency_p99"), 0.07, 1e-9);
	int detected = 0, ended = 0;
	for (size_t i = 0; i < rs.nevents; i++) {
		if (strcmp(rs.events[i].kind, "dr_detected") == 0) {
			detected++;
			cr_assert_float_eq(rs.events[i].value, 60, 1e-9);
		}
		if (strcmp(rs.events[i].kind, "dr_failover_end") == 0) {
			ended++;
			cr_assert_float_eq(rs.events[i].value, 540, 1e-9);
		}
		if (i > 0)
			cr_assert(rs.events[i].time >= rs.events[i - 1].time, "events in time order");
	}
	cr_assert_eq(detected, 1);
	cr_assert_eq(ended, 1);
	run_result_release(&ra);
	run_result_release(&rs);
	scenario_release(&sa);
	scenario_release(&ss);
	free(async);
	free(sync);
}

/* Active-active, p down from 86,400 for an hour and again from 86,450 for an hour (the two
 * overlap): the health checks at 86,400, 86,430 and 86,460 fail whatever the second outage
 * does, so p leaves DNS at 86,460 as with one outage (active_active_rto_is_detection_and_ttl):
 * the first outage's RTO is 120 s, 30,000 requests fail, and its RPO is the 2 s lag. (The
 * second outage restarted the detection from 86,450: p left DNS at 86,520, RTO 180 s, 45,000
 * failed, and the RPO went to the second outage.) The failover's events count from the
 * first outage: dr_failover_end at 120 s. */
Test(world_dr, active_active_overlapping_outage_keeps_the_detection_under_way)
{
	char *json = dr_scenario("active_active", "", "1d");
	second_outage(json, "1h", "86450");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "requests_failed"), 30000, 1e-6);
	size_t outages = 0, ends = 0;
	for (size_t i = 0; i < r.nevents; i++) {
		const struct run_event *e = &r.events[i];
		if (strcmp(e->kind, "region_outage") == 0 && e->time == 86400) {
			outages++;
			cr_assert_float_eq(e->value, 120, 1e-9);
			cr_assert_not_null(strstr(e->detail, "RPO 2 s"), "%s", e->detail);
		}
		if (strcmp(e->kind, "dr_failover_end") == 0) {
			ends++;
			cr_assert_float_eq(e->value, 120, 1e-9);
		}
	}
	cr_assert_eq(outages, 1);
	cr_assert_eq(ends, 1);
	cr_assert_float_eq(metric(&r, "rpo"), 2, 1e-12);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* Two outages of the primary that both end before the first failback check passes (86,400 to
 * 90,000 and 87,000 to 90,010), with a database booting for 10 minutes: each end schedules a
 * failback (90,180 and 90,210), each waits for p to be ready (90,610), but the users go back
 * once: one dr_failback_dns and one dr_standby. */
Test(world_dr, two_failbacks_of_one_failover_send_the_users_back_once)
{
	char *json = dr_scenario("warm_standby", ", \"standby_scale\": 1", "1d");
	second_outage(json, "1h", "87000");
	replace(json, "\"at\": 87000, \"duration\": \"1h\"", "\"at\": 87000, \"duration\": \"3010s\"");
	replace(json, "\"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"boot_time\": { \"median\": \"2m\", \"p95\": \"2m\" }",
		"\"name\": \"db\", \"instance_type\": \"m\", \"capacity_rps\": 1000,"
		"      \"boot_time\": { \"median\": \"10m\", \"p95\": \"10m\" }");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	size_t back = 0, standby = 0;
	for (size_t i = 0; i < r.nevents; i++) {
		back += strcmp(r.events[i].kind, "dr_failback_dns") == 0;
		standby += strcmp(r.events[i].kind, "dr_standby") == 0;
	}
	cr_assert_eq(back, 1);
	cr_assert_eq(standby, 1);
	cr_assert_float_eq(metric(&r, "requests_failed"), 270000, 1e-6);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}

/* rpo_target_met compares the RPO in seconds with the target: backup and restore with hourly
 * backups losing p at 24 h 30 min loses 1,800 s, exactly the 30-minute target, met. At 0.7
 * writes/s 1800 × 0.7 / 0.7 = 1800.0000000000002 > 1800 (the figure taken back from
 * rpo_writes) and it was missed; at 0 writes/s every RPO became 0 and a 2 s RPO met a 1 s
 * target. */
Test(world_dr, rpo_target_met_compares_the_seconds)
{
	char *json = dr_scenario("backup_restore", ", \"rpo_target\": \"30m\"", "1470m");
	replace(json, "\"write_rate\": 100", "\"write_rate\": 0.7");
	replace(json, "\"backup_interval\": \"24h\"", "\"backup_interval\": \"1h\"");
	struct scenario sc;
	struct run_result r;
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rpo"), 1800, 1e-9);
	cr_assert_eq(metric(&r, "rpo_target_met"), 1.0);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);

	json = dr_scenario("warm_standby", ", \"standby_scale\": 1, \"rpo_target\": \"1s\"", "1d");
	replace(json, "\"write_rate\": 100", "\"write_rate\": 0");
	run_one(json, &r, &sc);
	cr_assert_float_eq(metric(&r, "rpo"), 2, 1e-12);
	cr_assert_eq(metric(&r, "rpo_target_met"), 0.0);
	run_result_release(&r);
	scenario_release(&sc);
	free(json);
}
