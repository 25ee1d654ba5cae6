build-o3/reports/db.o: reports/db.c reports/report.h models/run.h \
 models/scenario.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
sim/error.h:
