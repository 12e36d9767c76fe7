"""Imported by the worker pool's fork server (``rnw.parallel``) before it forks any worker: loads
and warms the extractor, MinHash and the enrichers once, so that every worker forked from the
server starts warm and shares these pages instead of loading a copy of its own.

``gc.freeze`` moves what was loaded out of the collector's generations: a collection in a worker
would otherwise write to every object's header and copy the shared pages into the worker.
"""

import gc

from rnw.warmup import quietly, warm_articles, warm_enrichers

quietly(warm_articles)
quietly(warm_enrichers)
gc.collect()
gc.freeze()
