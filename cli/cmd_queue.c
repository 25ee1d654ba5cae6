/* `capsim queue`: the queueing calculator — formulas, sizing and a simulation beside them. */
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "models/qsim.h"
#include "models/queueing.h"
#include "models/units.h"
#include "sim/error.h"

const char cmd_queue_usage[] =
	"usage: capsim queue --arrival-rate L --service-time S (--servers C | TARGET) [OPTIONS]\n"
	"\n"
	"Waiting and response times of a queue with C identical servers fed at L requests/s,\n"
	"each request taking S on average (FCFS, infinite waiting room). Exact for M/M/c;\n"
	"the Allen-Cunneen approximation when arrivals or service are not exponential.\n"
	"\n"
	"  --servers C            number of servers (instances, workers, threads)\n"
	"  --arrival-rate L       requests per second\n"
	"  --service-time S       mean service time: seconds, or with a unit (100ms, 2s, 250us)\n"
	"  --ca2 X                squared coefficient of variation of inter-arrival times\n"
	"                         (default 1: Poisson arrivals)\n"
	"  --cs2 Y                squared coefficient of variation of service times\n"
	"                         (default 1: exponential; 0: constant)\n"
	"  --percentile P         also report the P-th response-time percentile (repeatable,\n"
	"                         16 in all; p50, p95, p99 and a --target-percentile are\n"
	"                         always reported)\n"
	"\n"
	"Sizing (how many servers are needed):\n"
	"  --target-p99 T         smallest C whose p99 response time is at most T\n"
	"  --target-percentile P --target T\n"
	"                         the same for another percentile\n"
	"  --target-wait-prob X   smallest C whose probability of waiting is at most X\n"
	"  Without --servers the table is for the C found (the larger when both are given).\n"
	"\n"
	"Simulation (request by request, on the event engine):\n"
	"  --simulate N           simulate N customers and print the figures with 95% CIs\n"
	"  --reps R               independent replications N is split into, each measuring\n"
	"                         N/R customers, rounded up (default 10)\n"
	"  --warmup W             customers discarded at the start of each replication\n"
	"                         (default: the largest of 1000, a tenth of N/R, and five\n"
	"                         relaxation times: the customers the queue takes to forget\n"
	"                         its empty start, printed below the table)\n"
	"  --seed S               random seed (default 1)\n"
	"  --threads T            threads for the replications (default: all CPUs);\n"
	"                         results do not depend on it\n"
	"\n"
	"  --json                 print one JSON object instead of the table\n"
	"\n"
	"A simulated interval is the Student-t one across replications, its bounds clipped to\n"
	"what the figure can be: [0, 1] for the utilisation and P(wait), at least 0 for times.\n"
	"Replications shorter than 500 relaxation times underestimate the tail; a note then says\n"
	"how many customers per replication would do, and the --simulate that gives them.\n"
	"\n"
	"A utilisation rho = L*S/C at or above 1 is reported as unstable: the queue grows\n"
	"without bound and no waiting time exists.\n"
	"\n"
	"Exit status: 0; 2 for a bad argument; 3 when a sizing target can be met by no server\n"
	"count (the service time's own percentile is above it).\n"
	"\n"
	"example: capsim queue --servers 10 --arrival-rate 90 --service-time 100ms --simulate 200000\n";

#define MAX_PCT QSIM_MAX_PERCENTILES

struct queue_args {
	double servers;            /* 0 when not given */
	double arrival_rate, service_time, ca2, cs2;
	double pct[MAX_PCT];       /* percentiles as fractions, sorted, unique */
	size_t npct;
	double target_p, target, target_wait_prob;   /* 0 when not given */
	double simulate, reps, warmup, seed, threads;
	int have_warmup, json;
};

static const char *C = "queue";

/* Adds a percentile (fraction) to the sorted, duplicate-free list. */
static int add_percentile(struct queue_args *a, double p)
{
	size_t i = 0;
	while (i < a->npct && a->pct[i] < p)
		i++;
	if (i < a->npct && a->pct[i] == p)
		return 0;
	if (a->npct == MAX_PCT)
		return -1;
	memmove(&a->pct[i + 1], &a->pct[i], (a->npct - i) * sizeof a->pct[0]);
	a->pct[i] = p;
	a->npct++;
	return 0;
}

/* A percentile is written as 99, 99.9 or p99 and must lie strictly inside (0, 100). */
static int parse_percentile(const char *opt, const char *text, double *frac)
{
	double v;
	const char *t = (text[0] == 'p' || text[0] == 'P') ? text + 1 : text;
	if (units_parse_number(t, &v) != 0 || !(v > 0 && v < 100))
		return cli_usage_error(C, "%s: expected a percentile in (0,100) such as 99 or 99.9, "
				       "got \"%s\"", opt, text);
	*frac = v / 100.0;
	return 0;
}

static int parse_positive(const char *opt, const char *text, double *v, int whole)
{
	if (units_parse_number(text, v) != 0 || !(*v > 0) || (whole && *v != floor(*v)))
		return cli_usage_error(C, "%s: expected a %s, got \"%s\"", opt,
				       whole ? "whole number >= 1" : "number > 0", text);
	return 0;
}

static int parse_args(int argc, char **argv, struct queue_args *a)
{
	memset(a, 0, sizeof *a);
	a->ca2 = a->cs2 = 1.0;
	a->reps = 10;
	a->seed = 1;
	int rc;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		char name[64];
		if (strncmp(arg, "--", 2) != 0)
			return cli_usage_error(C, "unexpected argument \"%s\" (options start with --; "
					       "see 'capsim help queue')", arg);
		const char *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		if (len >= sizeof name)
			len = sizeof name - 1;
		memcpy(name, arg, len);
		name[len] = '\0';
		if (strcmp(name, "--json") == 0) {
			if (eq)
				return cli_usage_error(C, "--json takes no value");
			a->json = 1;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return cli_usage_error(C, "%s: expected a value after it", name);
		}

		double pct;
		if (strcmp(name, "--servers") == 0) {
			if ((rc = parse_positive(name, val, &a->servers, 1)))
				return rc;
			if (a->servers > 1e7)
				return cli_usage_error(C, "--servers: at most 10000000, got \"%s\"", val);
		} else if (strcmp(name, "--arrival-rate") == 0) {
			if ((rc = parse_positive(name, val, &a->arrival_rate, 0)))
				return rc;
		} else if (strcmp(name, "--service-time") == 0 || strcmp(name, "--target") == 0) {
			double *dst = name[2] == 's' ? &a->service_time : &a->target;
			if (units_parse_duration(val, dst) != 0 || !(*dst > 0))
				return cli_usage_error(C, "%s: expected a duration > 0 such as 0.1, 100ms "
						       "or 2s, got \"%s\"", name, val);
		} else if (strcmp(name, "--target-p99") == 0) {
			if (units_parse_duration(val, &a->target) != 0 || !(a->target > 0))
				return cli_usage_error(C, "%s: expected a duration > 0 such as 0.25 or "
						       "250ms, got \"%s\"", name, val);
			a->target_p = 0.99;
		} else if (strcmp(name, "--ca2") == 0 || strcmp(name, "--cs2") == 0) {
			double *dst = name[3] == 'a' ? &a->ca2 : &a->cs2;
			double max = name[3] == 'a' ? 1e4 : QUEUE_CS2_MAX;
			if (units_parse_number(val, dst) != 0 || *dst < 0 || *dst > max)
				return cli_usage_error(C, "%s: expected a squared coefficient of variation "
						       "in [0, %g], got \"%s\"", name, max, val);
		} else if (strcmp(name, "--percentile") == 0) {
			if ((rc = parse_percentile(name, val, &pct)))
				return rc;
			if (add_percentile(a, pct) != 0)
				return cli_usage_error(C, "--percentile: at most %d percentiles", MAX_PCT);
		} else if (strcmp(name, "--target-percentile") == 0) {
			if ((rc = parse_percentile(name, val, &a->target_p)))
				return rc;
		} else if (strcmp(name, "--target-wait-prob") == 0) {
			if (units_parse_number(val, &a->target_wait_prob) != 0 ||
			    !(a->target_wait_prob > 0 && a->target_wait_prob < 1))
				return cli_usage_error(C, "%s: expected a probability in (0,1), got \"%s\"",
						       name, val);
		} else if (strcmp(name, "--simulate") == 0) {
			if ((rc = parse_positive(name, val, &a->simulate, 1)))
				return rc;
		} else if (strcmp(name, "--reps") == 0) {
			if ((rc = parse_positive(name, val, &a->reps, 1)))
				return rc;
			if (a->reps < 2)
				return cli_usage_error(C, "--reps: at least 2 are needed for a confidence "
						       "interval, got \"%s\"", val);
		} else if (strcmp(name, "--warmup") == 0) {
			if (units_parse_number(val, &a->warmup) != 0 || a->warmup < 0 ||
			    a->warmup != floor(a->warmup))
				return cli_usage_error(C, "--warmup: expected a whole number >= 0, got "
						       "\"%s\"", val);
			a->have_warmup = 1;
		} else if (strcmp(name, "--seed") == 0) {
			if (units_parse_number(val, &a->seed) != 0 || a->seed < 0 ||
			    a->seed != floor(a->seed) || a->seed > 9007199254740992.0)
				return cli_usage_error(C, "--seed: expected a whole number >= 0, got \"%s\"",
						       val);
		} else if (strcmp(name, "--threads") == 0) {
			if ((rc = parse_positive(name, val, &a->threads, 1)))
				return rc;
			if (a->threads > 1024)
				return cli_usage_error(C, "--threads: at most 1024, got \"%s\"", val);
		} else {
			return cli_usage_error(C, "unknown option %s; 'capsim help queue' lists them",
					       name);
		}
	}

	if (!a->arrival_rate)
		return cli_usage_error(C, "--arrival-rate is required");
	if (!a->service_time)
		return cli_usage_error(C, "--service-time is required");
	if ((a->target_p > 0) != (a->target > 0))
		return cli_usage_error(C, "--target-percentile and --target go together");
	if (!a->servers && !a->target && !a->target_wait_prob)
		return cli_usage_error(C, "--servers is required (or a sizing target such as "
				       "--target-p99 T)");
	if (!isfinite(a->arrival_rate * a->service_time))
		return cli_usage_error(C, "--arrival-rate times --service-time overflows");
	if (a->simulate && a->servers > 1e6)
		return cli_usage_error(C, "--simulate: at most 1000000 servers can be simulated");
	if (a->simulate && a->simulate / a->reps > 1e15)
		return cli_usage_error(C, "--simulate: at most 1e15 customers per replication");
	if (a->simulate && a->simulate < a->reps)
		return cli_usage_error(C, "--simulate: at least one customer per replication is "
				       "needed (%.0f replications)", a->reps);
	/* Always p50, p95 and p99, and the percentile sized for: the answer shows the figure
	 * the target is about. */
	if (add_percentile(a, 0.50) || add_percentile(a, 0.95) || add_percentile(a, 0.99) ||
	    (a->target_p > 0 && add_percentile(a, a->target_p)))
		return cli_usage_error(C, "--percentile: at most %d percentiles in all, p50, p95, "
				       "p99 and --target-percentile's included", MAX_PCT);
	return 0;
}

/* "M/M/c", "M/D/c", "G/G/c" ... in Kendall's notation. */
static const char *kendall(double scv)
{
	return scv == 1.0 ? "M" : scv == 0.0 ? "D" : "G";
}

struct answer {
	struct queue_model model;
	struct queue_result res;
	int stable;
	double q[MAX_PCT];          /* response-time percentiles, s */
	double need;                /* servers needed for the percentile target; 0 = none asked */
	double need_wait;           /* servers needed for the wait-probability target */
	int infeasible;             /* the percentile target cannot be met by any c */
	double floor_q;             /* the service time's own quantile at target_p (infeasible) */
	int simulated;
	struct qsim_summary sim;
	uint64_t per_rep;           /* customers measured per replication */
	uint64_t warmup;            /* customers discarded per replication */
	double relax;               /* relaxation time, in customers (relaxation_customers) */
	int short_runs;             /* per_rep < SHORT_RUN_RELAXATIONS relaxation times */
	double per_rep_enough;      /* customers per replication that end the short-run note */
};

/* Replications shorter than this many relaxation times get the short-run note. Measured on
 * M/M/10 at rho 0.9 (relaxation 342 customers), 100 seeds each: with 58 relaxation times per
 * replication (--simulate 200000, 10 replications) the simulated p99 averaged 0.984 of the
 * formula and its interval held the formula 83 times in 100, missing from below; with 585,
 * 1.002 and 47 in 50. */
#define SHORT_RUN_RELAXATIONS 500

/* Customers that arrive during the queue's relaxation time, the time it takes to forget its
 * starting state: tau = 1 / (sqrt(c mu) - sqrt(lambda))^2, which is the M/M/1 relaxation time
 * 1 / (mu (1 - sqrt(rho))^2) at c = 1 (Morse 1955), scaled by the Allen-Cunneen variability
 * (ca2 + cs2) / 2 as in heavy traffic. It sets the default warm-up and warns when replications
 * are too short for their percentiles to be trusted. */
static double relaxation_customers(const struct queue_args *a, double servers)
{
	double gap = sqrt(servers / a->service_time) - sqrt(a->arrival_rate);
	double variability = fmax((a->ca2 + a->cs2) / 2, 0.1);
	return a->arrival_rate * variability / (gap * gap);
}

/* x rounded up to two significant figures (21361 -> 22000), for advice a user types back. */
static double round_up_2sig(double x)
{
	double step = pow(10.0, floor(log10(x)) - 1);
	return ceil(x / fmax(step, 1.0)) * fmax(step, 1.0);
}

static int solve(const struct queue_args *a, struct answer *ans)
{
	int rc;
	memset(ans, 0, sizeof *ans);
	ans->model = (struct queue_model){ a->servers, a->arrival_rate, a->service_time,
					   a->ca2, a->cs2 };
	if (a->target_p > 0) {
		rc = queue_size_for_percentile(&ans->model, a->target_p, a->target, &ans->need);
		if (rc == CAPSIM_EINFEASIBLE)
			ans->infeasible = 1;
		else if (rc)
			return rc;
	}
	if (a->target_wait_prob > 0 &&
	    (rc = queue_size_for_wait_prob(&ans->model, a->target_wait_prob, &ans->need_wait)))
		return rc;
	/* Sized without --servers: the count that meets every target given. */
	if (!a->servers)
		ans->model.servers = fmax(ans->need, ans->need_wait);
	if (!ans->model.servers)
		return CAPSIM_EINFEASIBLE;

	rc = queue_solve(&ans->model, &ans->res);
	if (rc && rc != CAPSIM_EUNSTABLE)
		return rc;
	ans->stable = rc == 0;
	for (size_t i = 0; i < a->npct; i++) {
		ans->q[i] = NAN;
		if (ans->stable && (rc = queue_response_percentile(&ans->model, &ans->res, a->pct[i],
								  &ans->q[i])))
			return rc;
	}
	if (a->simulate && ans->stable) {
		uint64_t per_rep = (uint64_t)ceil(a->simulate / a->reps);
		double relax = relaxation_customers(a, ans->model.servers);
		double warm = fmax(fmax(per_rep / 10.0, 1000.0), 5 * relax);
		struct qsim_config cfg = {
			.servers = ans->model.servers, .arrival_rate = a->arrival_rate,
			.service_time = a->service_time, .ca2 = a->ca2, .cs2 = a->cs2,
			.customers = per_rep,
			.warmup = a->have_warmup ? (uint64_t)a->warmup : (uint64_t)ceil(warm),
			.npercentiles = a->npct,
		};
		memcpy(cfg.percentiles, a->pct, a->npct * sizeof a->pct[0]);
		if ((rc = qsim_replicate(&cfg, (uint64_t)a->seed, (uint64_t)a->reps,
					 (unsigned)a->threads, &ans->sim)))
			return rc;
		ans->simulated = 1;
		ans->per_rep = per_rep;
		ans->warmup = cfg.warmup;
		ans->relax = relax;
		ans->short_runs = per_rep < SHORT_RUN_RELAXATIONS * relax;
		ans->per_rep_enough = round_up_2sig(SHORT_RUN_RELAXATIONS * relax);
	}
	return 0;
}

static void pct_label(double p, char *buf, size_t size)
{
	snprintf(buf, size, "p%g", p * 100.0);
}

/* cJSON writes NaN and infinities as null, which is what an unstable queue's figures are. */
static void add_ci(cJSON *obj, const char *key, const struct ci *ci)
{
	cJSON *o = cJSON_AddObjectToObject(obj, key);
	cJSON_AddNumberToObject(o, "mean", ci->mean);
	cJSON_AddNumberToObject(o, "ci95_low", ci->low);
	cJSON_AddNumberToObject(o, "ci95_high", ci->high);
}

static int print_json(const struct queue_args *a, const struct answer *ans)
{
	char key[64], label[32];
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return CAPSIM_ENOMEM;
	char model[16];
	snprintf(model, sizeof model, "%s/%s/c", kendall(a->ca2), kendall(a->cs2));
	cJSON_AddStringToObject(root, "model", model);
	cJSON_AddNumberToObject(root, "servers", ans->model.servers);
	cJSON_AddNumberToObject(root, "arrival_rate", a->arrival_rate);
	cJSON_AddNumberToObject(root, "service_time_s", a->service_time);
	cJSON_AddNumberToObject(root, "ca2", a->ca2);
	cJSON_AddNumberToObject(root, "cs2", a->cs2);
	cJSON_AddBoolToObject(root, "stable", ans->stable);
	cJSON_AddNumberToObject(root, "utilization", ans->res.utilization);
	cJSON_AddNumberToObject(root, "offered_load", ans->res.offered_load);
	cJSON_AddNumberToObject(root, "erlang_b", ans->res.erlang_b);
	cJSON_AddNumberToObject(root, "erlang_c", ans->stable ? ans->res.erlang_c : NAN);
	cJSON_AddNumberToObject(root, "wait_mean_s", ans->stable ? ans->res.wait_mean : NAN);
	cJSON_AddNumberToObject(root, "response_mean_s",
				ans->stable ? ans->res.response_mean : NAN);
	for (size_t i = 0; i < a->npct; i++) {
		pct_label(a->pct[i], label, sizeof label);
		snprintf(key, sizeof key, "response_%s_s", label);
		cJSON_AddNumberToObject(root, key, ans->q[i]);
	}
	if (a->target_p > 0) {
		pct_label(a->target_p, label, sizeof label);
		cJSON *t = cJSON_AddObjectToObject(root, "target");
		cJSON_AddStringToObject(t, "percentile", label);
		cJSON_AddNumberToObject(t, "response_s", a->target);
		if (ans->infeasible)
			cJSON_AddNullToObject(root, "servers_needed");
		else
			cJSON_AddNumberToObject(root, "servers_needed", ans->need);
	}
	if (a->target_wait_prob > 0)
		cJSON_AddNumberToObject(root, "servers_needed_for_wait_prob", ans->need_wait);
	if (ans->simulated) {
		const struct qsim_summary *s = &ans->sim;
		cJSON *sim = cJSON_AddObjectToObject(root, "simulated");
		cJSON_AddNumberToObject(sim, "customers", (double)s->customers);
		cJSON_AddNumberToObject(sim, "replications", (double)s->replications);
		cJSON_AddNumberToObject(sim, "seed", a->seed);
		cJSON_AddNumberToObject(sim, "customers_per_replication", (double)ans->per_rep);
		cJSON_AddNumberToObject(sim, "warmup_customers", (double)ans->warmup);
		cJSON_AddNumberToObject(sim, "relaxation_customers", ans->relax);
		cJSON_AddBoolToObject(sim, "short_replications", ans->short_runs);
		add_ci(sim, "utilization", &s->utilization);
		add_ci(sim, "erlang_c", &s->p_wait);
		add_ci(sim, "wait_mean_s", &s->wait_mean);
		add_ci(sim, "response_mean_s", &s->response_mean);
		for (size_t i = 0; i < a->npct; i++) {
			pct_label(a->pct[i], label, sizeof label);
			snprintf(key, sizeof key, "response_%s_s", label);
			add_ci(sim, key, &s->response_q[i]);
		}
	}
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		return CAPSIM_ENOMEM;
	puts(text);
	free(text);
	return 0;
}

static char *dur(double s, char *buf)
{
	return units_format_duration(s, buf, 32);
}

static void print_sim_duration(const struct ci *ci)
{
	char m[32], lo[32], hi[32];
	printf("  %-11s [%s, %s]", dur(ci->mean, m), dur(ci->low, lo), dur(ci->high, hi));
}

/* Decimals to print a fraction x with: 4, or as many more (up to 9) as keep an x below 1 from
 * reading 1.0000 (a stable queue at rho 0.999999 is not at 1). */
static int below_one(double x)
{
	int d = 4;
	while (d < 9 && x < 1.0 && x >= 1.0 - 0.5 * pow(10.0, -d))
		d++;
	return d;
}

static void print_text(const struct queue_args *a, const struct answer *ans)
{
	char b1[32], b2[32], label[32];
	const struct queue_result *r = &ans->res;
	const struct qsim_summary *s = &ans->sim;
	int sim = ans->simulated;

	printf("%s/%s/%.0f queue (FCFS)%s\n", kendall(a->ca2), kendall(a->cs2), ans->model.servers,
	       a->ca2 == 1.0 && a->cs2 == 1.0 ? "" : ", Allen-Cunneen approximation");
	printf("  arrival rate   %g req/s\n", a->arrival_rate);
	printf("  service time   %s mean (%g req/s per server), cs2 %g; arrivals ca2 %g\n",
	       dur(a->service_time, b1), 1.0 / a->service_time, a->cs2, a->ca2);
	printf("  servers        %.0f%s\n", ans->model.servers,
	       a->servers ? "" : a->target_p > 0 && a->target_wait_prob > 0 ?
	       (ans->infeasible ? "  (sized to meet the wait target; none meets the other)" :
		"  (sized to meet both targets below)") : "  (sized to meet the target below)");
	printf("  offered load   %.4g erlangs\n\n", r->offered_load);

	if (!ans->stable) {
		printf("unstable: utilisation %.4f >= 1. The queue grows without bound; there is no\n"
		       "steady-state waiting time. At least %.0f servers are needed for stability.\n",
		       r->utilization, floor(r->offered_load) + 1);
	} else {
		/* Columns are padded only when the simulated column follows them. */
		int w = sim ? 12 : 1;
		printf("  %-22s %-*s%s\n", "", w, "formula", sim ? "  simulated, 95% CI" : "");
		printf("  %-22s %-*.*f", "utilisation", w, below_one(r->utilization),
		       r->utilization);
		if (sim)
			printf("  %-11.4f [%.4f, %.4f]", s->utilization.mean, s->utilization.low,
			       s->utilization.high);
		printf("\n  %-22s %.4f\n", "Erlang B (blocking)", r->erlang_b);
		printf("  %-22s %-*.*f", "Erlang C (P wait)", w, below_one(r->erlang_c),
		       r->erlang_c);
		if (sim)
			printf("  %-11.4f [%.4f, %.4f]", s->p_wait.mean, s->p_wait.low, s->p_wait.high);
		printf("\n  %-22s %-*s", "mean wait", w, dur(r->wait_mean, b1));
		if (sim)
			print_sim_duration(&s->wait_mean);
		printf("\n  %-22s %-*s", "mean response", w, dur(r->response_mean, b1));
		if (sim)
			print_sim_duration(&s->response_mean);
		for (size_t i = 0; i < a->npct; i++) {
			char name[48];
			pct_label(a->pct[i], label, sizeof label);
			snprintf(name, sizeof name, "response %s", label);
			printf("\n  %-22s %-*s", name, w, dur(ans->q[i], b1));
			if (sim)
				print_sim_duration(&s->response_q[i]);
		}
		printf("\n");
		if (sim)
			printf("\n  simulated: %llu customers in %llu replications (seed %.0f), "
			       "%llu engine events\n",
			       (unsigned long long)s->customers, (unsigned long long)s->replications,
			       a->seed, (unsigned long long)s->events);
		if (sim && ans->relax >= 1)
			printf("  (each replication measures %llu customers after a warm-up of %llu;\n"
			       "  this queue takes about %.0f customers to forget its start)\n",
			       (unsigned long long)ans->per_rep, (unsigned long long)ans->warmup,
			       ans->relax);
		else if (sim)
			printf("  (each replication measures %llu customers after a warm-up of %llu;\n"
			       "  this queue forgets its start within one customer)\n",
			       (unsigned long long)ans->per_rep, (unsigned long long)ans->warmup);
		if (sim && ans->short_runs)
			printf("  note: %llu customers per replication are too few to trust the tail,\n"
			       "  which comes out low in replications shorter than about %.0f customers\n"
			       "  (%d times %.0f). --simulate %.0f with --reps %.0f gives %.0f per\n"
			       "  replication, enough.\n",
			       (unsigned long long)ans->per_rep, ceil(SHORT_RUN_RELAXATIONS * ans->relax),
			       SHORT_RUN_RELAXATIONS, ans->relax, ans->per_rep_enough * a->reps,
			       a->reps, ans->per_rep_enough);
	}
	if (a->simulate && !ans->stable)
		printf("\n(no simulation: an unstable queue has no steady state to measure)\n");

	if (a->target_p > 0) {
		pct_label(a->target_p, label, sizeof label);
		printf("\n");
		if (ans->infeasible)
			printf("sizing: no server count gives %s <= %s: even with no waiting, the\n"
			       "service time alone exceeds it at that percentile.\n",
			       label, dur(a->target, b1));
		else
			printf("sizing: %.0f servers are needed for %s <= %s\n", ans->need, label,
			       dur(a->target, b2));
	}
	if (a->target_wait_prob > 0)
		printf("%ssizing: %.0f servers keep P(wait) <= %g\n", a->target_p > 0 ? "" : "\n",
		       ans->need_wait, a->target_wait_prob);
}

int cmd_queue(int argc, char **argv)
{
	struct queue_args a;
	struct answer *ans;
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	if (!(ans = malloc(sizeof *ans))) {
		fprintf(stderr, "capsim queue: %s\n", capsim_strerror(CAPSIM_ENOMEM));
		return EXIT_FAIL;
	}
	rc = solve(&a, ans);
	if (rc == CAPSIM_EINFEASIBLE && !a.servers) {
		char b[32], label[32];
		pct_label(a.target_p, label, sizeof label);
		fprintf(stderr, "capsim queue: no server count gives %s <= %s: the service time "
			"alone exceeds it at that percentile\n", label, dur(a.target, b));
		free(ans);
		return EXIT_INFEASIBLE;
	}
	if (rc) {
		fprintf(stderr, "capsim queue: %s\n", capsim_strerror(rc));
		free(ans);
		return EXIT_FAIL;
	}
	if (a.json)
		rc = print_json(&a, ans);
	else
		print_text(&a, ans);
	int infeasible = ans->infeasible;
	free(ans);
	if (rc) {
		fprintf(stderr, "capsim queue: %s\n", capsim_strerror(rc));
		return EXIT_FAIL;
	}
	/* An unmeetable target is an answer, printed above, but not a success for scripts: the
	 * status optimize gives when nothing meets the targets. */
	return infeasible ? EXIT_INFEASIBLE : EXIT_OK;
}
