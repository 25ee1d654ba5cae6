/* The DR example (scenarios/dr-shop.json) under each strategy lands in its documented RTO
 * range when eu-west-1 is lost for four hours on day ten: backup and restore in hours, pilot
 * light in tens of minutes, warm standby in minutes, active-active within about a minute. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "models/run.h"
#include "models/scenario.h"

static double rto_of(int strategy, double *rpo)
{
	struct scenario sc;
	struct scenario_error err;
	cr_assert_eq(scenario_load("scenarios/dr-shop.json", &sc, &err), 0, "%s", err.msg);
	struct scenario_outage drill;
	char msg[256];
	cr_assert_eq(scenario_parse_outage(&sc, "region:eu-west-1@10d+4h", &drill, msg,
					   sizeof msg), 0, "%s", msg);
	/* The drill alone: the scenario's random outages off, this one scripted. */
	struct scenario_outage *saved = sc.failures.scripted;
	size_t nsaved = sc.failures.nscripted;
	sc.failures.scripted = &drill;
	sc.failures.nscripted = 1;
	sc.failures.has_zone_outages = sc.failures.has_region_outages = 0;
	sc.dr.strategy = strategy;
	if (strategy == SCENARIO_DR_ACTIVE_ACTIVE)
		sc.dr.decision_delay = 0;   /* no one decides: DNS health checks fail over */
	struct run_options o = { .seed = 3, .reps = 4, .threads = 2 };
	struct run_result r;
	cr_assert_eq(run_simulate(&sc, &o, &r), 0);
	const struct run_metric *m = run_find_metric(&r, "rto");
	cr_assert_not_null(m);
	double rto = m->stat.mean;
	const struct run_metric *p = run_find_metric(&r, "rpo");
	*rpo = p ? p->stat.mean : -1;
	run_result_release(&r);
	sc.failures.scripted = saved;
	sc.failures.nscripted = nsaved;
	scenario_release(&sc);
	return rto;
}

/* Hand timings on the example (checks every 10 s, 3 to fail: detection 20 s after the
 * outage at day 10, a check instant; decision 10 min; promotion 5 min; TTL 30 s):
 *   backup and restore: 20 + 600 + db boot p95 600 + 800 GB / 400 GB/h = 7,200 + 30 =
 *     8,450 s = 2.3 h, so between 1 and 6 hours;
 *   pilot light: 20 + 600 + longest boot p95 600 + 300 + 30 = 1,550 s = 26 min: between 10
 *     minutes and 3 hours;
 *   warm standby: 20 + 600 + 300 + 30 = 950 s, plus whatever the quarter-size standby
 *     still needs to boot: between 1 and 30 minutes;
 *   active-active: 20 + 0 + 30 = 50 s to move the users, plus what the surviving region
 *     needs to absorb them: at most 2 minutes.
 * The RPO is the replication lag (median 1 s, p95 15 s), or for backup and restore the
 * writes since the last daily backup: 0 s here, as the outage starts exactly at midnight,
 * a backup instant. */
Test(dr_example, each_strategy_lands_in_its_range)
{
	double rpo;
	double br = rto_of(SCENARIO_DR_BACKUP_RESTORE, &rpo);
	cr_assert(br >= 3600 && br <= 6 * 3600, "backup-restore RTO %g s", br);
	cr_assert_float_eq(rpo, 0, 1e-9);
	double pl = rto_of(SCENARIO_DR_PILOT_LIGHT, &rpo);
	cr_assert(pl >= 600 && pl <= 3 * 3600, "pilot-light RTO %g s", pl);
	cr_assert(rpo > 0 && rpo < 60, "pilot-light RPO %g s", rpo);
	double ws = rto_of(SCENARIO_DR_WARM_STANDBY, &rpo);
	cr_assert(ws >= 60 && ws <= 1800, "warm-standby RTO %g s", ws);
	double aa = rto_of(SCENARIO_DR_ACTIVE_ACTIVE, &rpo);
	cr_assert(aa <= 120, "active-active RTO %g s", aa);
	cr_assert(br > pl && pl > ws && ws > aa, "the strategies in order: %g %g %g %g", br, pl,
		  ws, aa);
}
