/* report.md: a run's summary, its plots and its files in one page to read or share (it renders
 * on any Markdown viewer, the PNGs beside it). */
#include "reports/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/error.h"

/* Text inside a Markdown code span: a backtick would end it and a line break would break the
 * table row, so both become '?'. */
static void put_code(FILE *f, const char *s)
{
	fputc('`', f);
	for (; s && *s; s++)
		fputc(*s == '`' || *s == '\n' || *s == '\r' || *s == '|' ? '?' : *s, f);
	fputc('`', f);
}

/* What each plot shows, in report_plot_names' order. */
static const char *const plot_caption[REPORT_NPLOTS] = {
	"Demand against the capacity in service, per tier and region",
	"Instances per tier and region (running, and in service)",
	"The end-to-end latency percentile per region against the SLO target",
	"Cost per day (per hour when the run is three days or shorter)",
	"Instances by how they are paid (reserved, savings plan, on demand, spot)",
	"The monthly bill with its P10-P90 band",
};

struct markdown {
	const struct run_result *r;
	const struct run_meta *m;
};

/* The run's facts as a table, under the title; the summary's heading. */
static int run_head(FILE *f, const void *ctx)
{
	const struct markdown *md = ctx;
	const struct run_result *r = md->r;
	const struct run_meta *m = md->m;
	char when[32] = "";
	struct tm tm;
	fputs("| | |\n|---|---|\n", f);
	if (m && m->scenario_path) {
		fputs("| scenario | ", f);
		put_code(f, m->scenario_path);
		if (m->scenario_sha256) {
			fputs(" (SHA-256 ", f);
			put_code(f, m->scenario_sha256);
			fputc(')', f);
		}
		fputs(" |\n", f);
	}
	if (m && gmtime_r(&m->started, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(f, "| run | %" PRIu64 " replication%s, seed %" PRIu64 ", %u thread%s", r->reps,
		r->reps == 1 ? "" : "s", r->seed, r->threads, r->threads == 1 ? "" : "s");
	if (when[0])
		fprintf(f, ", started %s, %.1f s", when, m->elapsed);
	fputs(" |\n", f);
	if (m && m->args) {
		fputs("| command | ", f);
		put_code(f, m->args);
		fputs(" |\n", f);
	}
	if (m && m->version)
		fprintf(f, "| capsim | %s |\n", m->version);
	/* The summary as the terminal shows it: its columns line up in a code block. */
	fputs("\n## Summary\n\n", f);
	return 0;
}

static int run_text(FILE *f, const void *ctx)
{
	const struct markdown *md = ctx;
	return report_summary_text(md->r, f);
}

int report_markdown(const struct run_result *r, const struct run_meta *m, const char *dir,
		    int plots, char *err, size_t errlen)
{
	struct markdown md = { .r = r, .m = m };
	/* The name inside a code span; scenario names are letters, digits, '.', '_' and '-',
	 * but a backtick or line break must not end the span or the heading anyway. */
	char title[256];
	const char *command = m && m->command ? m->command : "run";
	const char *part = m ? m->part : NULL;
	int at = snprintf(title, sizeof title, "capsim %s: `", command);
	snprintf(title + at, sizeof title - (size_t)at, "%s`%s%s", r->sc->name, part ? ", " : "",
		 part ? part : "");
	for (char *c = title + at; *c; c++)
		if ((*c == '`' && c != title + at + strlen(r->sc->name)) || *c == '\n' ||
		    *c == '\r')
			*c = '?';
	struct report_page p = {
		.title = title, .head = run_head, .text = run_text, .ctx = &md,
		.note = "Each figure is a mean over the replications with its 95% confidence "
			"interval; `summary.csv` has every metric with its percentiles across "
			"replications.\n",
		.plots = report_plot_names, .captions = plot_caption, .nplots = REPORT_NPLOTS,
		.drawn = plots,
		.after = "## Files\n\n"
			 "| file | what |\n|---|---|\n"
			 "| `summary.csv` | every metric: mean, 95% interval, P5, P50, P95 across "
			 "replications |\n"
			 "| `timeseries.csv` | per time bucket, pool and region: demand, capacity, "
			 "instances, utilisation, P(wait), latency, served and failed requests, cost "
			 "per hour |\n"
			 "| `cost.csv` | cost per month, region, tier and purchase option |\n"
			 "| `bill.csv` | each month's whole bill across replications |\n"
			 "| `events.csv` | scaling actions, SLO breaches, failures, outages with their "
			 "RTO and RPO |\n"
			 "| `cost_daily.csv` | each pool's instance cost, and the network transfer, per "
			 "day |\n"
			 "| `results.db` | SQLite: every run appended with its scenario hash, seed and "
			 "arguments |\n"
			 "| `*.gp` | the gnuplot scripts of the plots (`gnuplot NAME.gp` redraws one) |\n",
	};
	return report_page_write(dir, "report.md", &p, err, errlen);
}

static int page(FILE *f, const void *ctx)
{
	const struct report_page *p = ctx;
	int rc;
	fprintf(f, "# %s\n\n", p->title);
	if (p->head && (rc = p->head(f, p->ctx)) < 0)
		return rc;
	fputs("```text\n", f);
	if ((rc = p->text(f, p->ctx)) < 0)
		return rc;
	fputs("```\n", f);
	if (p->note)
		fprintf(f, "\n%s", p->note);
	if (p->drawn && p->nplots) {
		fputs("\n## Plots\n", f);
		for (size_t i = 0; i < p->nplots; i++)
			fprintf(f, "\n### %s\n\n![%s](%s.png)\n", p->captions[i], p->plots[i],
				p->plots[i]);
	} else if (p->nplots) {
		/* Not drawn: links, not images, so that the page shows no broken picture now and
		 * leads to the plots once they are drawn. */
		fputs("\n## Plots\n\nNot drawn (gnuplot is missing, or `--no-plots`): in this "
		      "folder, `for f in *.gp; do gnuplot \"$f\"; done` draws them.\n\n", f);
		for (size_t i = 0; i < p->nplots; i++)
			fprintf(f, "- [%s.png](%s.png): %s\n", p->plots[i], p->plots[i],
				p->captions[i]);
	}
	if (p->after)
		fprintf(f, "\n%s", p->after);
	return ferror(f) ? CAPSIM_EIO : 0;
}

int report_page_write(const char *dir, const char *name, const struct report_page *p,
		      char *err, size_t errlen)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	if (!path) {
		report_set_err(err, errlen, "%s: %s", dir, capsim_strerror(CAPSIM_ENOMEM));
		return CAPSIM_ENOMEM;
	}
	snprintf(path, n, "%s/%s", dir, name);
	int rc = report_write_file(path, page, p, err, errlen);
	free(path);
	return rc;
}
