build-o3/reports/csv.o: reports/csv.c reports/report.h models/run.h \
 models/scenario.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
sim/error.h:
