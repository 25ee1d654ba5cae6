build-o3/reports/plot.o: reports/plot.c reports/report.h models/run.h \
 models/scenario.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
sim/error.h:
