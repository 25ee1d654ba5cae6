build-dbg/models/qsim.o: models/qsim.c models/qsim.h sim/stats.h \
 sim/engine.h sim/evq.h sim/error.h sim/mc.h sim/rng.h
models/qsim.h:
sim/stats.h:
sim/engine.h:
sim/evq.h:
sim/error.h:
sim/mc.h:
sim/rng.h:
