build-dbg/reports/db.o: reports/db.c reports/report.h models/run.h \
 models/scenario.h models/catalog.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
models/catalog.h:
sim/error.h:
