"""Near-duplicate folding on real article text: syndicated edits fold, different stories don't,
and the result does not depend on the order texts arrive in."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from rnw.articles import fold_key
from rnw.neardup import (
    Text,
    cluster,
    cluster_pairs,
    jaccard,
    near_duplicate_pairs,
    shingles,
    signature_rows,
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
    signatures = signature_rows(Text(h, t) for h, t in texts.items())

    def texts_of(wanted: list[str]) -> dict[str, str]:
        return {h: texts[h] for h in wanted}

    everything = cluster_pairs(signatures, near_duplicate_pairs(signatures, set(texts), texts_of), texts_of)
    assert len(set(everything.column("cluster_hash").to_pylist())) < len(texts), "nothing folded"
    for seed in range(4):
        order = sorted(texts)
        random.Random(seed).shuffle(order)
        first, later = set(order[:2]), set(order[2:])
        earlier = signatures.filter(pc.is_in(signatures.column("body_hash"), pa.array(sorted(first))))
        pairs = pa.concat_tables(
            [
                near_duplicate_pairs(earlier, first, texts_of),
                near_duplicate_pairs(signatures, later, texts_of),
            ]
        )
        assert pairs.filter(pc.is_null(pairs.column("other_hash"))).num_rows == len(texts), "each placed once"
        assert cluster_pairs(signatures, pairs, texts_of).sort_by("body_hash") == everything.sort_by(
            "body_hash"
        )
