/* compare.gp, the plot of `capsim compare`, on two hand-made runs: its target line, the
 * colours of the regions and the money on its cost axis. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/run.h"
#include "reports/report.h"
#include "tests/reports/fake.h"

/* compare.gp of A and B (fake runs; the plot reads no compare rows), as text (malloc'd). */
static char *script(struct fake *a, struct fake *b)
{
	struct report_compare c = { &a->r, &b->r, "a.json", "b.json", NULL, 0 };
	char *dir = fake_tmpdir(), err[512] = "";
	cr_assert_eq(report_compare_script(&c, dir, err, sizeof err), 0, "%s", err);
	char *path = fake_path(dir, "compare.gp"), *text = fake_slurp(path, NULL);
	cr_assert_not_null(text);
	free(path);
	fake_rmtree(dir);
	return text;
}

/* The line colour ("lc N") of the line titled title ('A us-east-1'), -1 when absent. */
static int colour_of(const char *text, const char *title)
{
	const char *t = strstr(text, title);
	if (!t)
		return -1;
	const char *line = t;
	while (line > text && line[-1] != '\n')
		line--;
	const char *lc = strstr(line, " lc ");
	int n = -1;
	if (lc && lc < t)
		sscanf(lc, " lc %d", &n);
	return n;
}

/* The SLO target (0.5 s in the fake scenario) is an arrow behind the data, thinner (lw 1
 * against the lines' lw 2) and in a dash type of its own (4, dash-dot, where A's lines are
 * solid, dt 1, and B's dashed, dt 2), grey: a region's p99 that runs along it stays visible.
 * Its key entry draws the same style; the axis reaches above it although arrows are no part
 * of gnuplot's autoscaling. */
Test(compare_plot, the_target_line_is_thin_grey_and_behind_the_data)
{
	struct fake a, b;
	fake_init(&a);
	fake_init(&b);
	char *text = script(&a, &b);
	cr_expect_not_null(strstr(text, "set arrow 1 from graph 0, first 0.5 to graph 1, first 0.5 "
				  "nohead back lw 1 dt 4 lc rgb \"#555555\"\n"), "%s", text);
	cr_expect_not_null(strstr(text, "NaN with lines lw 1 dt 4 lc rgb \"#555555\" title \"SLO "
				  "target 0.5 s\""), "%s", text);
	cr_expect_not_null(strstr(text, "set yrange [0:0.525<*]\n"), "%s", text);
	cr_expect_null(strstr(text, "lc rgb \"red\""), "%s", text);
	free(text);
	fake_release(&a);
	fake_release(&b);
}

/* A region is drawn in one colour in both designs, whatever its place in each: B lists
 * us-east-1 first, A second; B's us-east-1 takes A's us-east-1 colour, not A's eu-west-1. */
Test(compare_plot, a_region_has_the_same_colour_in_a_and_b)
{
	struct fake a, b;
	fake_init(&a);
	fake_init(&b);
	b.regions[0].name = (char *)"us-east-1";
	b.regions[1].name = (char *)"eu-west-1";
	char *text = script(&a, &b);
	int ae = colour_of(text, "'A eu-west-1'"), au = colour_of(text, "'A us-east-1'");
	cr_assert(ae > 0 && au > 0 && ae != au, "%s", text);
	cr_expect_eq(colour_of(text, "'B eu-west-1'"), ae, "%s", text);
	cr_expect_eq(colour_of(text, "'B us-east-1'"), au, "%s", text);
	free(text);
	fake_release(&a);
	fake_release(&b);
}

/* The cost axis in grouped dollars. A day of the fake run's four pools costs
 * 36 x (1 + 2 + 3 + 4) = $360 (fake.h); B's cost rates are ten times A's: $3,600 a day. With
 * 5 % of room, $3,780; an eighth of it ($472.50) rounds up to a step of $500: tics from $0 to
 * $4,000, grouped. */
Test(compare_plot, the_cost_axis_groups_thousands)
{
	struct fake a, b;
	fake_init(&a);
	fake_init(&b);
	for (size_t k = 0; k < b.r.nbuckets; k++)
		for (size_t s = 0; s < b.r.nseries; s++)
			b.r.ts[(k * b.r.nseries + s) * RUN_TS_NFIELDS + RUN_TS_COST_RATE] *= 10;
	char *text = script(&a, &b);
	cr_expect_not_null(strstr(text, "set yrange [0:4000]\nset ytics (\"$0\" 0, \"$500\" 500, "
				  "\"$1,000\" 1000, \"$1,500\" 1500, \"$2,000\" 2000, \"$2,500\" "
				  "2500, \"$3,000\" 3000, \"$3,500\" 3500, \"$4,000\" 4000)\n"),
			   "%s", text);
	free(text);
	fake_release(&a);
	fake_release(&b);
}
