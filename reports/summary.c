/* The run's summary for people (an aligned table of lines) and for scripts (JSON). */
#include "reports/report.h"

#include <cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/version.h"

/* A metric's figures as text: "99.9510 %" and "[99.9410 %, 99.9610 %]". */
struct cell {
	char mean[128];
	char ci[288];          /* empty without an interval (one replication) */
};

/* m's mean and interval in its unit with `decimals` for percentages; sign as fmt_signed. */
static void fmt_stat(struct cell *c, const struct run_metric *m, int decimals, int sign)
{
	enum report_style st = report_style_of(m->unit);
	char lo[128], hi[128];
	report_fmt_signed(c->mean, sizeof c->mean, st, m->unit, m->stat.mean, decimals, sign);
	c->ci[0] = '\0';
	if (!isnan(m->stat.ci95_low) && !isnan(m->stat.ci95_high)) {
		report_fmt_signed(lo, sizeof lo, st, m->unit, m->stat.ci95_low, decimals, sign);
		report_fmt_signed(hi, sizeof hi, st, m->unit, m->stat.ci95_high, decimals, sign);
		snprintf(c->ci, sizeof c->ci, "[%s, %s]", lo, hi);
	}
}

/* One row: label, mean, [ci95_low, ci95_high] and a note; nothing when the metric is absent.
 * sign: '+' before positive figures. */
static void row_signed(FILE *out, const struct run_result *r, const char *name, const char *label,
		       const char *note, int sign)
{
	const struct run_metric *m = run_find_metric(r, name);
	struct cell c;
	if (!m)
		return;
	fmt_stat(&c, m, report_pct_decimals(m->stat.mean), sign);
	/* A label longer than its column (long tier or region names) gets a line of its own,
	 * the figures under it: cut, "utilization workers in eu-we" named no region. */
	if (strlen(label) > 30) {
		report_label_line(out, label);
		label = "";
	}
	report_line(out, "%-30s %13s  %-*s  %s", label, c.mean, report_pad(c.ci, 28), c.ci,
	     note ? note : "");
}

static void row(FILE *out, const struct run_result *r, const char *name, const char *label,
		const char *note)
{
	row_signed(out, r, name, label, note, 0);
}

/* The metric of the SLO's latency percentile: "latency_p99" for 99, "latency_p99.9" for 99.9;
 * else the first metric named latency_p*. Its name goes to name. */
static const struct run_metric *latency_metric(const struct run_result *r, double pct, char *name,
					       size_t len)
{
	snprintf(name, len, "latency_p%g", pct);
	const struct run_metric *m = run_find_metric(r, name);
	for (size_t i = 0; !m && i < r->nmetrics; i++)
		if (strncmp(r->metrics[i].name, "latency_p", 9) == 0) {
			m = &r->metrics[i];
			snprintf(name, len, "%s", m->name);
		}
	return m;
}

/* USD without cents from $10,000 on (a bill's percentiles across replications do not claim
 * cents there, and the line stays short): "$12,346", "$1,512.40". */
static void money(char *buf, size_t len, double x)
{
	report_fmt(buf, len, REPORT_USD, "USD", x, 2);
	if (fabs(x) >= 10000.0 && strchr(buf, '.'))
		*strchr(buf, '.') = '\0';
}

/* The monthly bill's P50, P90 and P95 across replications: of the first full month (month 1
 * whenever the horizon is at least a month), else of the partial one; then, with several full
 * months, of the full month with the highest P95 when that is another (growth, seasonality).
 * A partial last month is never the highest: its smaller bill is not comparable. */
static void bill_lines(FILE *out, const struct run_result *r)
{
	const struct run_bill *first = NULL, *worst = NULL;
	char p50[96], p90[96], p95[96], label[64], note[64];
	size_t nfull = 0;

	for (size_t i = 0; i < r->nbills; i++) {
		const struct run_bill *b = &r->bills[i];
		/* 1e-9 of a month is 2.6 ms: a month that ends within it of the horizon is whole. */
		if ((double)(b->month + 1) * SCENARIO_MONTH > r->sc->horizon * (1.0 + 1e-9))
			continue;
		nfull++;
		if (!first)
			first = b;
		if (!worst || b->p95 > worst->p95)
			worst = b;
	}
	if (!first && r->nbills > 0) {
		const struct run_bill *b = &r->bills[0];
		first = b;
		double days = (r->sc->horizon - b->month * SCENARIO_MONTH) / 86400.0;
		snprintf(note, sizeof note, "(partial: %.3g day%s)", days,
			 fabs(days - 1.0) < 5e-4 ? "" : "s");
	} else {
		snprintf(note, sizeof note, "(the first full month)");   /* month 1 */
	}
	if (!first)
		return;
	for (int k = 0; k < 2; k++) {
		const struct run_bill *b = k == 0 ? first : worst;
		if (k == 1) {
			if (nfull < 2 || worst == first)
				break;
			snprintf(note, sizeof note, "(the highest P95)");
		}
		money(p50, sizeof p50, b->p50);
		money(p90, sizeof p90, b->p90);
		money(p95, sizeof p95, b->p95);
		snprintf(label, sizeof label, "monthly bill, month %d of %zu", b->month + 1,
			 r->nbills);
		report_line(out, "%-30.30s P50 %s, P90 %s, P95 %s  %s", label, p50, p90, p95, note);
	}
}

/* Whether a metric exists and is not zero in every replication: an option of the mix that was
 * never used has a mean of exactly 0 (its values are >= 0). */
static int used(const struct run_result *r, const char *name)
{
	const struct run_metric *m = run_find_metric(r, name);
	return m && m->stat.mean != 0.0;
}

/* The mix's figure beside the same scenario bought all on demand (same seeds): both with
 * their intervals, percentages to the same decimals so they compare. Nothing unless both
 * metrics exist. Two cells of at most 38 columns ("99.999056 % [99.998505 %, 99.999607 %]",
 * pct_decimals' 6 at most) after a label of 16 keep the line within 100. */
static void versus(FILE *out, const struct run_result *r, const char *label, const char *mix,
		   const char *od)
{
	const struct run_metric *a = run_find_metric(r, mix), *b = run_find_metric(r, od);
	struct cell ca, cb;
	char sa[448];
	if (!a || !b)
		return;
	int d = report_pct_decimals(a->stat.mean), db = report_pct_decimals(b->stat.mean);
	d = d > db ? d : db;
	fmt_stat(&ca, a, d, 0);
	fmt_stat(&cb, b, d, 0);
	snprintf(sa, sizeof sa, "%s %s", ca.mean, ca.ci);
	report_line(out, "  %-16.16s %-38s %s %s", label, sa, cb.mean, cb.ci);
}

/* The purchase options: cost by option, savings against all on demand, spot, the mix's
 * availability and latency beside all on demand, reservations and savings plans. Nothing when
 * the run has no cost.option.* metrics; options never used are left out. */
static void purchase_block(FILE *out, const struct run_result *r, double pct)
{
	static const struct {
		const char *option, *label;
	} opts[] = {
		{ "on_demand", "  on demand" },
		{ "spot", "  spot" },
		{ "reserved", "  reserved instances" },
		{ "savings_plan", "  savings plans" },
		{ "unused_commitment", "  unused commitment" },
	};
	const struct run_metric *total = run_find_metric(r, "cost_total");
	char name[128], note[160], hours[96], label[64], od[128];
	int any = 0;

	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		snprintf(name, sizeof name, "cost.option.%s", opts[i].option);
		any |= run_find_metric(r, name) != NULL;
	}
	if (!any)
		return;
	fputc('\n', out);
	report_line(out, "%-30s %13s  %-28s  %s", "cost by purchase option", "", "",
	     "share, instance hours");
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		snprintf(name, sizeof name, "cost.option.%s", opts[i].option);
		if (!used(r, name))
			continue;
		const struct run_metric *c = run_find_metric(r, name), *h;
		note[0] = '\0';
		if (total && total->stat.mean > 0)
			snprintf(note, sizeof note, "%.1f %%", 100.0 * c->stat.mean / total->stat.mean);
		snprintf(name, sizeof name, "instance_hours.%s", opts[i].option);
		if ((h = run_find_metric(r, name)) != NULL) {
			report_fmt(hours, sizeof hours, REPORT_COUNT, "h", h->stat.mean, 0);
			size_t n = strlen(note);
			snprintf(note + n, sizeof note - n, "%s%s", n ? ", " : "", hours);
		}
		snprintf(name, sizeof name, "cost.option.%s", opts[i].option);
		row(out, r, name, opts[i].label, note);
	}

	const struct run_metric *m = run_find_metric(r, "savings_monthly_vs_on_demand");
	if (m) {
		const char *v = report_verdict(&m->stat, 0.0, 1);
		row_signed(out, r, "savings_monthly_vs_on_demand", "savings/month vs all on demand",
			   strcmp(v, "met") == 0 ? "saves" : strcmp(v, "missed") == 0 ?
			   "costs more" : "uncertain: spans 0", 1);
	}
	row_signed(out, r, "savings_vs_on_demand", "  share of the on-demand bill", NULL, 1);

	if (used(r, "cost.option.spot") || used(r, "spot_interruptions") ||
	    used(r, "spot_reclaims") || used(r, "spot_fallbacks_to_on_demand")) {
		row(out, r, "spot_interruptions", "spot interruptions", "over the horizon");
		const struct run_metric *hit = run_find_metric(r, "spot_reclaims_with_instances");
		char took[96] = "over the horizon";
		if (hit)
			snprintf(took, sizeof took, "%.3g took instances", hit->stat.mean);
		row(out, r, "spot_reclaims", "spot pool reclaim events", took);
		row(out, r, "spot_fallbacks_to_on_demand", "spot fallbacks to on demand", NULL);
	}
	row(out, r, "ri_utilization", "reserved-instance utilization", "of reserved hours used");
	row(out, r, "ri_coverage", "reserved-instance coverage", "of eligible usage");
	row(out, r, "sp_utilization", "savings-plan utilization", "of the commitment used");
	row(out, r, "sp_coverage", "savings-plan coverage", "of eligible usage");

	snprintf(name, sizeof name, "latency_p%g", pct);
	snprintf(od, sizeof od, "latency_p%g_all_on_demand", pct);
	if ((run_find_metric(r, "availability") &&
	     run_find_metric(r, "availability_all_on_demand")) ||
	    (run_find_metric(r, name) && run_find_metric(r, od))) {
		fputc('\n', out);
		report_line(out, "  %-16s %-38s %s", "", "this purchase mix", "all on demand (same seeds)");
		versus(out, r, "availability", "availability", "availability_all_on_demand");
		snprintf(label, sizeof label, "p%g latency", pct);
		versus(out, r, label, name, od);
	}
}

/* The unit a duration of s seconds reads best in ("s", "min", "h"), and its divisor. */
static const char *time_unit(double s, double *div)
{
	if (s >= 7200) {
		*div = 3600;
		return "h";
	}
	*div = s >= 120 ? 60 : 1;
	return s >= 120 ? "min" : "s";
}

/* "p50 7.83, p95 16.5 min", "p50 90 s, p95 2 h": two durations each in the unit that reads
 * best, the unit said once when they share it, short enough for the note column (24). */
static void fmt_p50_p95(char *buf, size_t len, double p50, double p95)
{
	double d50, d95;
	const char *u50 = time_unit(p50, &d50), *u95 = time_unit(p95, &d95);
	if (strcmp(u50, u95) == 0)
		snprintf(buf, len, "p50 %.3g, p95 %.3g %s", p50 / d50, p95 / d95, u95);
	else
		snprintf(buf, len, "p50 %.3g %s, p95 %.3g %s", p50 / d50, u50, p95 / d95, u95);
}

/* The instances reservations of the scenario cover for "TYPE.REGION". */
static int reservations_held(const struct scenario *sc, const char *type_region)
{
	int held = 0;
	for (size_t i = 0; i < sc->nreservations; i++) {
		const struct scenario_reservation *rv = &sc->reservations[i];
		char name[RUN_METRIC_NAME_MAX];
		snprintf(name, sizeof name, "%s.%s", sc->instance_types[rv->instance_type].name,
			 sc->regions[rv->region].name);
		if (strcmp(name, type_region) == 0)
			held += rv->count;
	}
	return held;
}

/* The outages and their recovery, when the scenario has failures; and the reservation
 * advice, when the catalog prices reservations for what runs on demand. */
static void failure_block(FILE *out, const struct run_result *r)
{
	const struct run_metric *m;
	char a[32], b[32], note[160], label[RUN_METRIC_NAME_MAX];
	if (run_find_metric(r, "outages") || run_find_metric(r, "rto")) {
		fputc('\n', out);
		row(out, r, "outages", "outages", "zone and region");
		row(out, r, "instance_failures", "instance failures", NULL);
		row(out, r, "downtime_per_year", "downtime per year", "below availability SLO");
		if ((m = run_find_metric(r, "rto"))) {
			fmt_p50_p95(note, sizeof note, m->stat.p50, m->stat.p95);
			row(out, r, "rto", "RTO (mean over outages)", note);
		}
		row(out, r, "rto_p99", "  RTO p99", NULL);
		row(out, r, "rto_target_met", "  outages within RTO target", NULL);
		row(out, r, "rto_unrecovered", "  not recovered by the end", "RTO a lower bound");
		char name[64];
		double pct = report_slo_percentile(r->sc);
		snprintf(name, sizeof name, "latency_p%g_outage", pct);
		snprintf(label, sizeof label, "p%g latency in outages", pct);
		row(out, r, name, label, "of the requests served");
		if ((m = run_find_metric(r, "rpo"))) {
			fmt_p50_p95(note, sizeof note, m->stat.p50, m->stat.p95);
			row(out, r, "rpo", "RPO (mean over failovers)", note);
		}
		row(out, r, "rpo_p99", "  RPO p99", NULL);
		row(out, r, "rpo_target_met", "  failovers within RPO target", NULL);
		row(out, r, "cost.dr.replication", "DR replication traffic", NULL);
		row(out, r, "cost.dr.backup_storage", "DR backup storage", NULL);
	}
	int first = 1;
	for (size_t i = 0; i < r->nmetrics; i++) {
		const char *n = r->metrics[i].name;
		if (strncmp(n, "ri_breakeven.", 13) != 0)
			continue;
		/* "reserve 0" in every replication (usage all on spot, say) is no advice. */
		if (r->metrics[i].stat.mean == 0 && r->metrics[i].stat.p95 == 0)
			continue;
		char saving[RUN_METRIC_NAME_MAX];
		snprintf(saving, sizeof saving, "ri_breakeven_saving.%s", n + 13);
		if (first) {
			fputc('\n', out);
			report_fmt_duration(b, sizeof b, r->sc->horizon);
			report_line(out, "reservation advice: 1-year no upfront, break-even on the simulated "
			     "on-demand hours;");
			report_line(out, "  the count to hold in all, what it saves in the %s against "
			     "paying on demand", b);
			first = 0;
		}
		const struct run_metric *sv = run_find_metric(r, saving);
		report_grouped(a, sizeof a, sv ? sv->stat.mean : 0, 2);
		snprintf(label, sizeof label, "  reserve %s", n + 13);
		int held = reservations_held(r->sc, n + 13);
		if (held > 0)
			snprintf(note, sizeof note, "saves $%s (%d held)", a, held);
		else
			snprintf(note, sizeof note, "saves $%s", a);
		row(out, r, n, label, note);
	}
}

int report_summary_text(const struct run_result *r, FILE *out)
{
	const struct scenario *sc = r->sc;
	char a[96], b[96], note[160], label[RUN_METRIC_NAME_MAX], name[RUN_METRIC_NAME_MAX];
	double pct = report_slo_percentile(sc);

	report_line(out, "scenario   %s", sc->name);
	report_fmt_duration(a, sizeof a, sc->horizon);
	report_fmt_duration(b, sizeof b, sc->step);
	report_line(out, "horizon    %s (step %s), %" PRIu64 " replication%s, seed %" PRIu64 ", %u thread%s",
	     a, b, r->reps, r->reps == 1 ? "" : "s", r->seed, r->threads,
	     r->threads == 1 ? "" : "s");
	fputc('\n', out);
	/* One replication has no interval (NaN, left blank): the verdicts below are then
	 * "uncertain", and the header says why. */
	report_line(out, "%-30s %13s  %s", "", "mean", r->reps >= 2 ? "95% confidence interval" :
	     "no interval from 1 replication (--reps)");

	const struct run_metric *m = run_find_metric(r, "availability");
	if (m && sc->has_slo) {
		snprintf(note, sizeof note, "SLO %g %%: %s", 100.0 * sc->slo.availability,
			 report_verdict(&m->stat, sc->slo.availability, 1));
		row(out, r, "availability", "availability", note);
	} else {
		row(out, r, "availability", "availability", NULL);
	}
	m = latency_metric(r, pct, name, sizeof name);
	snprintf(label, sizeof label, "p%g latency", pct);
	if (m && sc->has_slo && sc->slo.latency_target > 0) {
		snprintf(note, sizeof note, "SLO %g s: %s", sc->slo.latency_target,
			 report_latency_verdict(r, name, sc->slo.latency_target));
		row(out, r, name, label, note);
	} else if (m) {
		row(out, r, name, label, NULL);
	}
	/* The part of it that is round trips between regions, when there is one. */
	if (m && used(r, "latency_network"))
		row(out, r, "latency_network", "  round trips between regions", NULL);
	/* Per region served (run.c gives them where each region serves its own users). */
	for (size_t g = 0; m && g < sc->nregions; g++) {
		char rn[2 * RUN_METRIC_NAME_MAX];   /* name holds "latency_pNN": room to spare */
		snprintf(rn, sizeof rn, "%s.region.%s", name, sc->regions[g].name);
		const struct run_metric *mg = run_find_metric(r, rn);
		if (!mg)
			continue;
		snprintf(label, sizeof label, "  in %s", sc->regions[g].name);
		note[0] = '\0';
		if (sc->has_slo && sc->slo.latency_target > 0)
			snprintf(note, sizeof note, "%s", report_verdict(&mg->stat, sc->slo.latency_target,
								  0));
		/* How much of it the round trips between regions are. */
		char nn[RUN_METRIC_NAME_MAX];
		snprintf(nn, sizeof nn, "latency_network.region.%s", sc->regions[g].name);
		const struct run_metric *net = run_find_metric(r, nn);
		if (net && net->stat.mean > 0) {
			size_t len = strlen(note);
			report_fmt(a, sizeof a, REPORT_SECONDS, "s", net->stat.mean, 0);
			snprintf(note + len, sizeof note - len, "%s%s network", len ? ", " : "", a);
		}
		row(out, r, rn, label, note);
	}
	/* The percentile of all requests together (run.c: for percentiles above 63.2%): what a
	 * dashboard over the whole horizon shows, not the mean of the steps' percentiles. Its
	 * verdict against the target is the SRE's latency SLI (at least NN% of the requests
	 * within the target); the SLO's own verdict stays the line above's. */
	if (m) {
		char on[RUN_METRIC_NAME_MAX + 16];
		snprintf(on, sizeof on, "%s_overall", name);
		snprintf(label, sizeof label, "p%g of all requests together", pct);
		const struct run_metric *mo = run_find_metric(r, on);
		if (mo && sc->has_slo && sc->slo.latency_target > 0)
			row(out, r, on, label, report_verdict(&mo->stat, sc->slo.latency_target, 0));
		else if (mo)
			row(out, r, on, label, NULL);
	}
	if (sc->has_slo && sc->slo.latency_target > 0)
		snprintf(label, sizeof label, "steps with p%g <= %g s", pct, sc->slo.latency_target);
	else
		snprintf(label, sizeof label, "steps meeting the latency SLO");
	row(out, r, "latency_slo_steps", label, NULL);
	for (size_t g = 0; g < sc->nregions; g++) {
		snprintf(name, sizeof name, "latency_slo_steps.region.%s", sc->regions[g].name);
		snprintf(label, sizeof label, "  in %s", sc->regions[g].name);
		row(out, r, name, label, NULL);
	}
	/* Weighted by requests: the mean percentile above can hide an hour that missed the
	 * target by seconds, its steps being few but busy; this is the share of requests
	 * served in steps that met it. */
	row(out, r, "latency_slo_requests", "requests in such steps", NULL);
	row(out, r, "error_budget_burn", "error-budget burn", "1 = all of the budget");
	row(out, r, "requests_offered", "requests offered", NULL);
	row(out, r, "requests_failed", "requests failed", NULL);
	row(out, r, "requests_timed_out", "tier requests timed out", "per tier visit");
	row(out, r, "requests_rejected", "tier requests rejected", "no instance in service");
	fputc('\n', out);

	m = run_find_metric(r, "cost_monthly");
	if (m && sc->budget_monthly > 0) {
		report_grouped(a, sizeof a, sc->budget_monthly, 0);
		const char *v = report_verdict(&m->stat, sc->budget_monthly, 0);
		snprintf(note, sizeof note, "budget $%s: %s", a, strcmp(v, "met") == 0 ? "within" :
			 strcmp(v, "missed") == 0 ? "over" : "uncertain");
		row(out, r, "cost_monthly", "cost per month", note);
	} else {
		row(out, r, "cost_monthly", "cost per month", NULL);
	}
	row(out, r, "cost_total", "cost over the horizon", NULL);
	for (size_t t = 0; t < sc->ntiers; t++) {
		snprintf(name, sizeof name, "cost.tier.%s", sc->tiers[t].name);
		snprintf(label, sizeof label, "  cost of tier %s", sc->tiers[t].name);
		row(out, r, name, label, NULL);
	}
	for (size_t g = 0; g < sc->nregions; g++) {
		snprintf(name, sizeof name, "cost.region.%s", sc->regions[g].name);
		snprintf(label, sizeof label, "  cost in %s", sc->regions[g].name);
		row(out, r, name, label, NULL);
	}
	row(out, r, "cost.network", "  calls between regions", "bytes at transfer prices");
	row(out, r, "cost_per_million", "cost per million requests", NULL);
	row(out, r, "budget_exceeded", "probability over budget", "of the cost per month");
	/* The average month can be within the budget while a month's bill is not (traffic
	 * falling over the horizon, a spike, a failover). */
	snprintf(note, sizeof note, "of %zu monthly bill%s", r->nbills, r->nbills == 1 ? "" : "s");
	row(out, r, "budget_months_over", "months over budget", note);
	bill_lines(out, r);
	purchase_block(out, r, pct);
	failure_block(out, r);
	fputc('\n', out);
	row(out, r, "instance_hours", "instance hours", NULL);
	row(out, r, "peak_instances", "peak instances", NULL);
	row(out, r, "scaling_actions", "scaling actions", NULL);
	/* Per pool under one heading: "  web in eu-west-1" leaves room for longer names. */
	for (size_t t = 0, head = 1; t < sc->ntiers; t++)
		for (size_t g = 0; g < sc->nregions; g++) {
			snprintf(name, sizeof name, "utilization.%s.%s", sc->tiers[t].name,
				 sc->regions[g].name);
			if (!run_find_metric(r, name))
				continue;
			if (head) {
				report_line(out, "utilization");
				head = 0;
			}
			snprintf(label, sizeof label, "  %s in %s", sc->tiers[t].name,
				 sc->regions[g].name);
			/* A pool its policies held at the autoscaling max: demand beyond that
			 * capacity went unserved however the policies were tuned. */
			char at[RUN_METRIC_NAME_MAX];
			snprintf(at, sizeof at, "at_max.%s.%s", sc->tiers[t].name,
				 sc->regions[g].name);
			const struct run_metric *am = run_find_metric(r, at);
			note[0] = '\0';
			if (am && am->stat.mean >= 0.0005)
				snprintf(note, sizeof note, "%.3g %% of time at max",
					 100.0 * am->stat.mean);
			row(out, r, name, label, note[0] ? note : NULL);
		}
	if (r->events_dropped > 0) {
		fputc('\n', out);
		report_line(out, "note: %" PRIu64 " events beyond the first %d were not kept", r->events_dropped,
		     RUN_MAX_EVENTS);
	}
	return ferror(out) ? CAPSIM_EIO : 0;
}

static cJSON *stat_json(cJSON *o, const struct run_stat *s, const char *mean_key)
{
	if (!cJSON_AddNumberToObject(o, mean_key, s->mean) ||
	    !cJSON_AddNumberToObject(o, "ci95_low", s->ci95_low) ||
	    !cJSON_AddNumberToObject(o, "ci95_high", s->ci95_high) ||
	    !cJSON_AddNumberToObject(o, "p5", s->p5) ||
	    !cJSON_AddNumberToObject(o, "p50", s->p50) ||
	    !cJSON_AddNumberToObject(o, "p95", s->p95))
		return NULL;
	return o;
}

/* A string member, or null when s is NULL. */
static int add_str(cJSON *o, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(o, key, s) != NULL : cJSON_AddNullToObject(o, key) != NULL;
}

/* The seed is written as its exact decimal digits (cJSON numbers are doubles, which hold
 * integers exactly only up to 2^53); NaN and infinities become null (cJSON's rule). */
char *report_summary_json(const struct run_result *r, const struct run_meta *m)
{
	const struct scenario *sc = r->sc;
	cJSON *root = cJSON_CreateObject(), *metrics, *costs, *bills;
	char seed[24], started[32] = "";
	char *text = NULL;
	struct tm tm;

	if (!root)
		return NULL;
	snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
	if (m && gmtime_r(&m->started, &tm))
		strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!add_str(root, "scenario", sc->name) ||
	    !add_str(root, "scenario_path", m ? m->scenario_path : NULL) ||
	    !add_str(root, "sha256", m ? m->scenario_sha256 : NULL) ||
	    !cJSON_AddRawToObject(root, "seed", seed) ||
	    !cJSON_AddNumberToObject(root, "replications", (double)r->reps) ||
	    !cJSON_AddNumberToObject(root, "threads", r->threads) ||
	    !add_str(root, "version", m && m->version ? m->version : CAPSIM_VERSION) ||
	    !add_str(root, "args", m ? m->args : NULL) ||
	    !add_str(root, "started_utc", started[0] ? started : NULL) ||
	    !cJSON_AddNumberToObject(root, "elapsed_s", m ? m->elapsed : NAN) ||
	    !cJSON_AddNumberToObject(root, "horizon_s", sc->horizon) ||
	    !cJSON_AddNumberToObject(root, "step_s", sc->step) ||
	    !cJSON_AddNumberToObject(root, "events_kept", (double)r->nevents) ||
	    !cJSON_AddNumberToObject(root, "events_dropped", (double)r->events_dropped) ||
	    !(metrics = cJSON_AddObjectToObject(root, "metrics")) ||
	    !(costs = cJSON_AddArrayToObject(root, "costs")) ||
	    !(bills = cJSON_AddArrayToObject(root, "bills")))
		goto out;
	for (size_t i = 0; i < r->nmetrics; i++) {
		cJSON *o = cJSON_AddObjectToObject(metrics, r->metrics[i].name);
		if (!o || !cJSON_AddStringToObject(o, "unit", r->metrics[i].unit) ||
		    !stat_json(o, &r->metrics[i].stat, "mean"))
			goto out;
	}
	for (size_t i = 0; i < r->ncosts; i++) {
		const struct run_cost *c = &r->costs[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto out;
		cJSON_AddItemToArray(costs, o);
		/* month is 1-based, as in cost.csv. */
		if (!cJSON_AddNumberToObject(o, "month", c->month + 1) ||
		    !add_str(o, "region", c->region < 0 ? "all" : sc->regions[c->region].name) ||
		    !add_str(o, "tier", c->tier < 0 ? "all" : sc->tiers[c->tier].name) ||
		    !add_str(o, "purchase_option", c->option ? c->option : "") ||
		    !stat_json(o, &c->stat, "mean_usd"))
			goto out;
	}
	for (size_t i = 0; i < r->nbills; i++) {
		const struct run_bill *b = &r->bills[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto out;
		cJSON_AddItemToArray(bills, o);
		if (!cJSON_AddNumberToObject(o, "month", b->month + 1) ||
		    !cJSON_AddNumberToObject(o, "mean_usd", b->mean) ||
		    !cJSON_AddNumberToObject(o, "p10", b->p10) ||
		    !cJSON_AddNumberToObject(o, "p50", b->p50) ||
		    !cJSON_AddNumberToObject(o, "p90", b->p90) ||
		    !cJSON_AddNumberToObject(o, "p95", b->p95))
			goto out;
	}
	text = cJSON_Print(root);
out:
	cJSON_Delete(root);
	return text;
}
