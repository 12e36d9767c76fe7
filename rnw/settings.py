"""All runtime configuration in one place, read from the environment (prefix ``RNW_``)."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from scrapers.fetch import FetchSettings

REPO_ROOT = Path(__file__).resolve().parents[1]


# dbt's profile (profiles.yml) reads DuckDB's memory cap from it, and Settings (as
# duckdb_memory_limit) in the models that dbt runs.
MEMORY_LIMIT_VARIABLE = "RNW_DUCKDB_MEMORY_LIMIT"
# DuckDB's threads in a dbt invocation (the on-run-start macro set_duckdb_threads); unset: one per core.
THREADS_VARIABLE = "RNW_DUCKDB_THREADS"
# "1" in a dbt invocation that runs one node at a time (rnw.build: a bulk build on one dbt thread):
# the models that read a large table in parts empty DuckDB's cache between the parts
# (rnw.incremental.in_rowid_ranges). DuckDB's memory cap, which emptying lowers for a moment, is
# global to the database: with two nodes at once the other's query could run out of memory.
EMPTY_CACHE_VARIABLE = "RNW_DUCKDB_EMPTY_CACHE_BETWEEN_PARTS"
# DuckDB's memory cap while dbt writes the output of an enrichment model, set in a dbt invocation
# that runs one node at a time (rnw.build; Settings.bulk_output_duckdb_memory_limit). The model
# lowers the cap once its output is spilled (rnw.parallel.spill); the next node's cursor starts at
# the profile's cap again (dbt-duckdb sets the profile's settings on every cursor it opens).
OUTPUT_WRITE_CAP_VARIABLE = "RNW_DUCKDB_OUTPUT_WRITE_CAP"
# The worker pool's size (Settings.workers); a dbt invocation of a steady build sets it to
# steady_build_workers unless that is 0 (rnw.build).
WORKERS_VARIABLE = "RNW_WORKERS"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RNW_", extra="ignore")

    home: Path = Path("var")
    sources: Path = REPO_ROOT / "sources.yml"
    dbt_project_dir: Path = REPO_ROOT / "dbt_project"
    # Rows handed to DuckDB per insert: batches, never row by row.
    ingest_batch_size: int = 200
    scrape_batch_size: int = 20
    # Worker processes for extraction and enrichment inside dbt (rnw.parallel); unset: every core.
    # 1 keeps everything in the dbt process. Inputs under parallel_min_rows rows run in-process.
    workers: int | None = None
    # Worker processes in a steady build (a nightly); 0, the default: as many as a bulk build
    # (workers). With 1 its models run in the dbt process, which loads the extractor and the
    # enrichers while dbt starts (rnw.warmup.warm_dbt_process); on one core under one GIL, while the
    # other stood idle for much of a nightly. Spawned workers each held a copy of them (a 100k
    # archive's nightly of 1,000 pages peaked at 835-847 MiB on two, against 623-673 in the dbt
    # process, in about the same time); workers forked from the pool's fork server share one
    # (rnw.parallel), and the build starts them before dbt loads (bench/RESULTS.md, thirty-eighth
    # session).
    steady_build_workers: int = 0
    parallel_min_rows: int = 200
    # Ingest decodes files on the pool only when the first parallel_min_rows took at least this long
    # each: a cheaper item costs more to send back than it saves (rnw.parallel.ordered_map).
    parallel_min_item_ms: float = 1.0
    # A Python model's output is written to Parquet in row groups of about this many bytes
    # (rnw.parallel.spill): one row group per 50-500-row batch left the DuckDB connection that read
    # the file holding native memory per row group until it closed (about 11 MB per model at 100k
    # pages); a model holds at most one row group of its output. At 8 MiB, a 10k-page build's
    # models mostly wrote less than one group while a 100k build's filled it, and reading back the
    # larger groups held more: int_article_topics' work at 100k peaked at 226 MiB (186 after its
    # table was written) against 202 (159) at 1 MiB, and at 10k at 162-165 with either
    # (bench/RESULTS.md, twenty-fifth session).
    spill_row_group_bytes: int = 2**20
    # DuckDB's memory (dbt's profile, the raw store and publish): above it DuckDB evicts cached
    # blocks or spills to disk. Left alone its cache grows to 80% of RAM; 512 MB and then 384 MB
    # brought a 100k-page first load's process tree from 2,265 to 1,373-1,522 MB (bench/RESULTS.md,
    # tenth to fifteenth sessions), but each join of every article body still held a hash table as
    # large as the cap let it, so the peak followed the archive's size up to the cap. With those
    # joins made in parts (rnw.enrich.with_regions, the failing_in_article_parts macro) and person
    # identities resolved in parts of names, 160 MB holds a 100k first load and a 100k nightly, at
    # the same speed (fifteenth session). Spilling needs the build file's folder to have room.
    # A nightly needs it: at 200k pages the one after a first load ran out of 96 MB in
    # int_article_clusters, whose key joins hold every body's hash; so does publish's first copy of
    # the staging tables, which reads every raw page's bytes (out of 96 MB at 10k pages).
    duckdb_memory_limit: str = "160MB"
    # DuckDB's memory cap for the raw store (ingest and scrape write it; rnw.rawstore). While it
    # stored whole pages as rows, DuckDB held the raw table's last, partly filled row group (2,048
    # pages) in memory and pinned every string of over a block (256 KB) in it: 24 copies of the real
    # corpus (2,328 pages, 115 KB on average) ran out of 160 MB and needed 512 MB (ru_maxrss 1,223
    # MiB). Cut into parts of 16 KB (rnw.rawstore.PART_BYTES) they pass under 160 MB (644 MiB;
    # bench/RESULTS.md, thirty-fifth and thirty-seventh sessions).
    raw_duckdb_memory_limit: str = "160MB"
    # DuckDB's memory in both stages of a bulk build (rnw.build.bulk_stages), in place of
    # duckdb_memory_limit. A bulk build streams the archive through DuckDB's cache of table blocks,
    # which a 10k build's tables did not fill under 160 MB and a 100k build's did: 68 against 91 MB
    # cached in enrichment, and a 100k build's process 40-50 MiB higher in the models that read
    # every body (bench/RESULTS.md, nineteenth, twentieth and twenty-sixth sessions). Under 96 MB both
    # sizes fill it. Extraction ran out of 96 MB at 10k pages while it read every raw page in one
    # query; read 1,000 pages per query (rnw.articles.PAGES_PER_READ), a 200k first load passes.
    # The body-joining tests need parts of 2,500 articles under it (dbt var articles_per_check_part).
    bulk_duckdb_memory_limit: str = "96MB"
    # DuckDB's memory while dbt writes an enrichment model's output into its table in a bulk build
    # (OUTPUT_WRITE_CAP_VARIABLE). A table written in one statement is held in memory up to the cap
    # until it is committed: under 96 MB, writing the 95,010 rows of a 100k first load's
    # int_article_indicators peaked at 141 MiB against 71 for 10k's 9,526 rows, under 32 MB at 79
    # and 57, in the same time (1.4-1.8 s), and 285,030 rows passed (157 MiB against 222). The
    # extracted pages, long text, ran out of 32 MB, so their model keeps the stage's cap
    # (bench/RESULTS.md, thirty-third session).
    bulk_output_duckdb_memory_limit: str = "32MB"
    # A bulk build (rnw.build.is_bulk) runs one dbt node at a time: a 100k first load ran out of a
    # small cap with two such nodes side by side (fourteenth session); the Python nodes share one
    # worker pool anyway, and the 100k first load took 422 s against 438 s with two threads.
    bulk_dbt_threads: int = 1
    # DuckDB's own threads in every dbt build (0: DuckDB's default, one per core). Past about 123k
    # rows DuckDB scanned a table on two threads, each holding its own buffers of the rows it read:
    # at 197,997 raw pages a first load ran out of the 160 MB cap in int_pages_extracted (64 MB of
    # whole pages per thread), then in int_articles_extracted, and the nightly after it in
    # int_articles_deduplicated; on one thread all of them passed (bench/RESULTS.md, twenty-third and
    # twenty-fourth sessions). The pace of a build is set by its worker pool, not by DuckDB.
    duckdb_threads: int = 1
    # The storage format of the marts file (build_marts.duckdb, copied to warehouse.duckdb at every
    # publish). DuckDB writes its oldest format by default, readable by 1.0 clients, and keeps long
    # text uncompressed there; from v1.2.0 it compresses it with ZSTD. At 100k bench pages the file
    # fell from 871 to 261 MB, the articles' bodies from 646 to 34 MB (the bench remixes 97 real
    # pages; real bodies compress about 2x), and a nightly's publish from 1.9 to 0.5 s
    # (bench/RESULTS.md, twelfth session). Analysts need DuckDB 1.2 or newer to open the warehouse.
    # The raw store and the build file keep the default: a nightly reads a few rows of their text at
    # a time, and DuckDB decompresses a whole ZSTD segment for a row (with v1.2.0 for every file, a
    # publish's 100 new pages of 10k took 1.0 s to read from the raw store, against 0.01 s).
    # A file keeps the format it was made with.
    marts_storage_version: str = "v1.2.0"
    # A build with at least this many pages to extract is a bulk build (rnw.build.is_bulk): it runs
    # with DuckDB's bulk allocator setting (rnw.env), in a process of its own when the running one
    # loaded DuckDB with the steady one. A nightly's 1% of a 100k-page archive stays below it.
    bulk_build_pages: int = 5000
    # dbt's log file (RNW_HOME/logs/dbt.log). Its debug level writes every statement of every node
    # (15,000 lines a nightly, formatted on dbt's main thread). "debug" to diagnose a build.
    dbt_log_level_file: str = "info"
    # Sent in the User-Agent so site operators can reach whoever runs the crawler.
    contact_url: str = "https://github.com/regional-news-warehouse/rnw"
    # Only the tests and benchmarks (simulated sites on 127.0.0.0/8) turn this on.
    fetch_allow_loopback: bool = False
    fetch_connect_timeout: float = 10.0
    fetch_read_timeout: float = 30.0
    fetch_max_retries: int = 3
    fetch_backoff_base: float = 1.0

    @cached_property
    def home_dir(self) -> Path:
        path = self.home.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def raw_db(self) -> Path:
        return self.home_dir / "raw.duckdb"

    @property
    def build_db(self) -> Path:
        return self.home_dir / "build.duckdb"

    @property
    def marts_db(self) -> Path:
        """The marts as dbt builds them (attached to build.duckdb); published by copying the file."""
        return self.home_dir / "build_marts.duckdb"

    @property
    def scratch_dir(self) -> Path:
        """Files a build writes for itself (Python models' output); cleared before each build."""
        return self.home_dir / "scratch"

    @property
    def warehouse_db(self) -> Path:
        return self.home_dir / "warehouse.duckdb"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder: manifest, run results, stored parse, compiled SQL, docs."""
        return self.home_dir / "dbt_target"

    def builds_everything(self, full_refresh: bool) -> bool:
        """Whether a build makes every table from the raw store: asked to, or no build file yet.
        Known without DuckDB, so a command can choose DuckDB's allocator before it loads (rnw.env)."""
        return full_refresh or not self.build_db.exists()

    def fetch_settings(self) -> FetchSettings:
        """Imported lazily: the fetcher pulls in requests, which commands that don't fetch never need."""
        from scrapers.fetch import FetchSettings

        return FetchSettings(
            contact_url=self.contact_url,
            allow_loopback=self.fetch_allow_loopback,
            connect_timeout=self.fetch_connect_timeout,
            read_timeout=self.fetch_read_timeout,
            max_retries=self.fetch_max_retries,
            backoff_base=self.fetch_backoff_base,
        )

    def export_env(self) -> None:
        """dbt's profiles.yml and Prefect's local API read these from the environment."""
        os.environ["RNW_HOME"] = str(self.home_dir)
        os.environ[MEMORY_LIMIT_VARIABLE] = self.duckdb_memory_limit
        os.environ["RNW_MARTS_STORAGE_VERSION"] = self.marts_storage_version
        os.environ.setdefault("PREFECT_HOME", str(self.home_dir / "prefect"))


def get_settings(home: Path | None = None) -> Settings:
    settings = Settings(home=home) if home is not None else Settings()
    settings.export_env()
    return settings
