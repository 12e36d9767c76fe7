"""Near-duplicate folding on real article text: syndicated edits fold, different stories don't,
and the result does not depend on the order texts arrive in."""

from __future__ import annotations

import random

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import rnw.neardup
from rnw.articles import fold_key
from rnw.neardup import (
    NO_PAIRS,
    PAIR_SCHEMA,
    Increment,
    Text,
    _ShingleSets,
    cluster,
    cluster_pairs,
    jaccard,
    likely_pairs,
    place_bodies,
    plan_in_duckdb,
    plan_increment,
    recluster,
    shingles,
    signature_rows,
    with_band_keys,
)
from scrapers.textdump import split_text_dump


@pytest.fixture(scope="module")
def bodies(sample_text: str) -> list[str]:
    jingjinji, repeat, liangshan = (a.body_text for a in split_text_dump(sample_text))
    return [jingjinji, repeat, liangshan]


def syndicated_copy(body: str) -> str:
    """What a second site does to a story: its own lead-in, a corrected figure, an editor line."""
    return "据天津日报消息，" + body.replace("9.6%", "9.7%").replace("\n\n", "\n") + "\n\n（责任编辑：王芳）"


def as_map(texts: list[Text], threshold: float = 0.8) -> dict[str, tuple[str, float]]:
    return {
        r["body_hash"]: (r["cluster_hash"], r["similarity"]) for r in cluster(texts, threshold).to_pylist()
    }


def test_story_from_two_sources_folds_and_other_story_does_not(bodies: list[str]) -> None:
    original, _, other = bodies
    copy = syndicated_copy(original)
    texts = [Text(fold_key(t), t) for t in (original, copy, other)]
    result = as_map(texts)
    (h_original, h_copy, h_other) = (t.body_hash for t in texts)
    assert result[h_original][0] == result[h_copy][0] != result[h_other][0]
    assert result[h_copy][0] == h_copy, "the longer copy is canonical"
    assert 0.9 < result[h_original][1] < 1.0


def test_exact_repeat_of_the_sample_has_one_fold_key(bodies: list[str]) -> None:
    assert fold_key(bodies[0]) == fold_key(bodies[1])


def test_order_of_ingestion_does_not_change_clusters(bodies: list[str]) -> None:
    original, _, other = bodies
    texts = [
        Text(fold_key(t), t) for t in (original, syndicated_copy(original), other, other[: len(other) // 2])
    ]
    expected = as_map(texts)
    for seed in range(5):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert as_map(shuffled) == expected


def test_threshold_is_respected(bodies: list[str]) -> None:
    original, _, _ = bodies
    half = original[: len(original) // 2]
    similarity = jaccard(shingles(original), shingles(half))
    texts = [Text("a", original), Text("b", half)]
    assert len({c for c, _ in as_map(texts, threshold=min(similarity + 0.05, 1.0)).values()}) == 2
    assert len({c for c, _ in as_map(texts, threshold=similarity - 0.05).values()}) == 1
    with pytest.raises(ValueError):
        cluster(texts, threshold=0)


def build(stored: pa.Table, present: dict[str, str]) -> pa.Table:
    """One incremental build as dbt runs it: rows placed replace the stored rows of their
    body_hash (delete+insert)."""
    signatures = signature_rows(Text(h, t) for h, t in present.items())
    assert sorted_plan(plan_from_duckdb(signatures, stored)) == sorted_plan(
        plan_increment(set(present), stored)
    ), "DuckDB's plan differs from the rule"
    rows = place_bodies(signatures, stored, lambda wanted: {h: present[h] for h in wanted})
    replaced = pc.is_in(stored.column("body_hash"), rows.column("body_hash"))
    return pa.concat_tables([stored.filter(pc.invert(replaced)), rows])


def plan_from_duckdb(signatures: pa.Table, stored: pa.Table) -> Increment:
    """The int_body_pairs model's plan: signatures and stored rows in DuckDB tables."""
    with duckdb.connect() as con:
        con.from_arrow(signatures).create("signatures")
        con.from_arrow(stored.cast(PAIR_SCHEMA)).create("stored")
        return plan_in_duckdb(con, con.table("signatures").project("body_hash"), con.table("stored"))


def sorted_plan(plan: Increment) -> tuple[set[str], list[str], list[dict]]:
    kept = plan.kept.select(["body_hash", "other_hash", "similarity"]).to_pylist()
    return plan.new, plan.withdrawn, sorted(kept, key=lambda r: (r["body_hash"], r["other_hash"]))


def clusters_of(stored: pa.Table, present: dict[str, str]) -> pa.Table:
    signatures = signature_rows(Text(h, t) for h, t in present.items())
    return cluster_pairs(signatures, stored, lambda wanted: {h: present[h] for h in wanted}).sort_by(
        "body_hash"
    )


def variants(body: str, count: int) -> list[str]:
    """Copies of one story as several sites carry it: each its own lead-in and editor line."""
    return [f"（来源：第{n}家网站）" + body + f"\n\n（编辑：{n}号）" for n in range(count)]


def test_pairs_placed_in_two_builds_give_the_clusters_of_one(bodies: list[str]) -> None:
    """The nightly path: bodies already placed are not checked again, yet the clusters equal a
    full build's, whichever bodies arrive first."""
    original, _, other = bodies
    texts = {
        fold_key(t): t
        for t in (
            original,
            syndicated_copy(original),
            other,
            syndicated_copy(other),
            other[: len(other) // 2],
        )
    }
    everything = clusters_of(build(NO_PAIRS, texts), texts)
    assert len(set(everything.column("cluster_hash").to_pylist())) < len(texts), "nothing folded"
    for seed in range(4):
        order = sorted(texts)
        random.Random(seed).shuffle(order)
        stored = build(build(NO_PAIRS, {h: texts[h] for h in order[:2]}), texts)
        placed = stored.filter(pc.equal(stored.column("row_kind"), "placed"))
        assert placed.num_rows == len(texts), "each placed once"
        assert clusters_of(stored, texts) == everything


def test_a_group_of_copies_stores_a_spanning_forest(bodies: list[str]) -> None:
    """Twelve copies of one story are 66 similar pairs; storing them all grows with the square of
    the group, so only the 11 that join the group are kept."""
    texts = {fold_key(t): t for t in variants(bodies[0], 12)}
    stored = build(NO_PAIRS, texts)
    assert pc.sum(pc.equal(stored.column("row_kind"), "pair")).as_py() == 11
    assert len(set(clusters_of(stored, texts).column("cluster_hash").to_pylist())) == 1


def test_bodies_that_disappear_and_return_give_the_clusters_of_a_full_build(bodies: list[str]) -> None:
    """An extractor change rewrites pages, so placed bodies vanish (and may come back). The stored
    forest may have joined two copies only through a vanished one: the incremental clusters must
    still equal a full build over the bodies present."""
    pool = {fold_key(t): t for t in variants(bodies[0], 5) + variants(bodies[2], 4) + [bodies[2][:300]]}
    hashes = sorted(pool)
    for seed in range(12):
        rng = random.Random(seed)
        stored = NO_PAIRS
        for _ in range(4):
            present = {h: pool[h] for h in hashes if rng.random() < 0.6}
            stored = build(stored, present)
            assert clusters_of(stored, present) == clusters_of(build(NO_PAIRS, present), present), seed


def recluster_build(clusters: pa.Table, pairs: pa.Table, present: dict[str, str]) -> pa.Table:
    """The int_article_clusters model's incremental path: seeds from the stored clusters, the rows
    of the clusters they touch replace stored rows, rows of bodies gone are deleted."""
    stored = dict(zip(clusters.column("body_hash").to_pylist(), clusters.column("cluster_hash").to_pylist()))
    gone = set(stored) - set(present)
    lost = {stored[h] for h in gone}
    seeds = (set(present) - set(stored)) | {h for h, c in stored.items() if c in lost and h in present}
    signatures = signature_rows(Text(h, t) for h, t in present.items())
    rows = recluster(signatures, pairs, seeds, lambda wanted: {h: present[h] for h in wanted})
    assert set(rows.column("body_hash").to_pylist()) <= set(present)
    replaced = gone | set(rows.column("body_hash").to_pylist())
    kept = pc.invert(pc.is_in(clusters.column("body_hash"), pa.array(sorted(replaced), pa.string())))
    return pa.concat_tables([clusters.filter(kept), rows]).sort_by("body_hash")


def test_clusters_kept_up_to_date_equal_those_made_whole(bodies: list[str]) -> None:
    """Bodies arrive, vanish and return over several builds; clustering again only the clusters
    that gained or lost a body gives, each time, the clusters made from every body present (and
    leaves most clusters alone when few bodies arrive)."""
    pool = {fold_key(t): t for t in variants(bodies[0], 5) + variants(bodies[2], 4) + [bodies[2][:300]]}
    hashes = sorted(pool)
    for seed in range(12):
        rng = random.Random(seed)
        pairs, clusters = NO_PAIRS, clusters_of(NO_PAIRS, {})
        for _ in range(5):
            present = {h: pool[h] for h in hashes if rng.random() < 0.6}
            pairs = build(pairs, present)
            clusters = recluster_build(clusters, pairs, present)
            assert clusters == clusters_of(pairs, present), seed
    one_more = {fold_key(t): t for t in variants(bodies[2], 3)}
    settled = {**{fold_key(t): t for t in variants(bodies[0], 5)}, **one_more}
    pairs = build(NO_PAIRS, settled)
    signatures = signature_rows(Text(h, t) for h, t in settled.items())
    touched = recluster(
        signatures, pairs, {next(iter(one_more))}, lambda wanted: {h: settled[h] for h in wanted}
    )
    assert set(touched.column("body_hash").to_pylist()) == set(one_more)


def test_a_new_body_is_a_candidate_with_its_own_story_only(bodies: list[str]) -> None:
    """A nightly joins only the new bodies' band keys: a new copy of one story pairs with that
    story's stored copies (they share bands) and with none of an unrelated story's."""
    story, _, other = bodies
    copies = {fold_key(t): t for t in variants(story, 4)}
    others = {fold_key(t): t for t in variants(other, 4)}
    new = fold_key(syndicated_copy(story))
    everything = {**copies, **others, new: syndicated_copy(story)}
    with duckdb.connect() as con:
        signatures = signature_rows(Text(h, t) for h, t in everything.items())
        with_band_keys(con.from_arrow(signatures), 0.8).create("signatures")
        pairs = likely_pairs(con, con.table("signatures"), {new}, 0.8)
        every_pair = likely_pairs(con, con.table("signatures"), set(everything), 0.8)
    assert pairs == sorted(pairs) and all(a < b and new in (a, b) for a, b in pairs)
    assert {h for pair in pairs for h in pair} - {new} == set(copies), "each copy, nothing else"
    assert set(pairs) == {pair for pair in every_pair if new in pair}, "as in a full build"


def test_candidate_pairs_of_a_first_load_fit_a_small_memory_cap(tmp_path) -> None:
    """A first load joins every body's band keys: one band at a time, under DuckDB's cap. Joining
    all bands at once ran out of the dbt process's 160 MB at 100k pages; here 100,000 signatures
    (random, but for planted near-copies) under 40 MB give exactly the planted pairs, and so do
    a nightly's few new bodies."""
    import numpy as np

    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**32, size=(100_000, 128), dtype=np.uint64)
    planted = {(2 * i, 2 * i + 1) for i in range(0, 300, 3)}
    for original, copy in planted:
        values[copy] = values[original]
        values[copy, rng.choice(128, 10, replace=False)] += 1  # a copy that differs a little
    hashes = [f"{i:032x}" for i in range(len(values))]
    signatures = pa.table(
        {
            "body_hash": hashes,
            "shingle_count": pa.array(np.full(len(values), 100), pa.int32()),
            "hashvalues": pa.FixedSizeListArray.from_arrays(pa.array(values.ravel()), 128).cast(
                pa.list_(pa.uint64())
            ),
        }
    )
    with duckdb.connect(str(tmp_path / "signatures.duckdb")) as con:
        with_band_keys(con.from_arrow(signatures), 0.8).create("signatures")
        con.execute("CHECKPOINT")
        con.execute("SET memory_limit = '40MB'")
        con.execute("SET preserve_insertion_order = false")
        pairs = likely_pairs(con, con.table("signatures"), set(hashes), 0.8)
        nightly = likely_pairs(con, con.table("signatures"), {hashes[1], hashes[2]}, 0.8)
    assert pairs == sorted((hashes[a], hashes[b]) for a, b in planted)
    assert nightly == [(hashes[0], hashes[1])], "a nightly's new bodies: all bands in one join"


def test_a_bodys_shingles_are_held_only_while_a_pair_needs_them(
    bodies: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first load's candidates at 200k pages involved 20,705 bodies, 142 MB of shingle sets held
    at once: each is now read once, in the order the pairs need it, and dropped after its last pair."""
    monkeypatch.setattr(rnw.neardup, "TEXT_CHUNK", 2)
    texts = {f"h{i:02d}": f"第{i}篇。" + bodies[i % 3][i * 40 :] for i in range(21)}
    pairs = [(f"h{i:02d}", f"h{i + 1:02d}") for i in range(20)]
    reads: list[str] = []

    def texts_of(wanted: list[str]) -> dict[str, str]:
        reads.extend(wanted)
        return {h: texts[h] for h in wanted}

    sets = _ShingleSets(texts_of, pairs)
    held = []
    for position, (a, b) in enumerate(pairs):
        found = sets.of(a, b)
        expected = (shingles(texts[a]).astype(np.uint32), shingles(texts[b]).astype(np.uint32))
        assert all(np.array_equal(x, y) for x, y in zip(found, expected, strict=True))
        sets.done_with(position, a, b)
        held.append(len(sets._sets))
    assert sorted(reads) == sorted(texts), "each body's text read once"
    assert max(held) <= 3, held
