build-dbg/models/billing.o: models/billing.c models/billing.h \
 models/catalog.h sim/error.h
models/billing.h:
models/catalog.h:
sim/error.h:
