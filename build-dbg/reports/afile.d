build-dbg/reports/afile.o: reports/afile.c reports/report.h models/run.h \
 models/scenario.h models/catalog.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
models/catalog.h:
sim/error.h:
