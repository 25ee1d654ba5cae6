build-dbg/reports/plot.o: reports/plot.c reports/report.h models/run.h \
 models/scenario.h models/catalog.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
models/catalog.h:
sim/error.h:
