build-dbg/reports/csv.o: reports/csv.c reports/report.h models/run.h \
 models/scenario.h models/catalog.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
models/catalog.h:
sim/error.h:
