"""Score story grouping against gold stories: pairwise and B-cubed precision, recall and F1
(``../shared/data/README.md``), and the amounts against the gold ``amount`` field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 1.0


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> PRF:
    """Over pairs of items: a pair is predicted when both items share a predicted story, right when they
    share a gold one."""
    items = sorted(gold)
    pairs = list(combinations(items, 2))
    in_pred = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    in_gold = {p for p in pairs if gold[p[0]] == gold[p[1]]}
    right = len(in_pred & in_gold)
    return PRF(_ratio(right, len(in_pred)), _ratio(right, len(in_gold)))


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> PRF:
    """Per item: the share of its predicted story that is in its gold story (precision), and the share of
    its gold story that is in its predicted story (recall), averaged over items."""
    precision = recall = 0.0
    for item in gold:
        same_pred = {other for other in gold if predicted[other] == predicted[item]}
        same_gold = {other for other in gold if gold[other] == gold[item]}
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    return PRF(_ratio(precision, len(gold)), _ratio(recall, len(gold)))


@dataclass
class AmountScore:
    """Amounts against gold: exactly right where one is stated, invented where none is."""

    stated: int = 0
    right: int = 0
    unstated: int = 0
    invented: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, item_id: str, predicted: Mapping[str, Any] | None, gold: Mapping[str, Any] | None) -> None:
        """Score one item's ``tags.amount`` against its gold ``amount``."""
        if gold is None:
            self.unstated += 1
            self.invented += predicted is not None
            if predicted is not None:
                self.misses.append(item_id)
            return
        self.stated += 1
        want = (Decimal(str(gold["value"])), gold["currency"])
        got = (Decimal(str(predicted["value"])), predicted["currency"]) if predicted else None
        self.right += got == want
        if got != want:
            self.misses.append(item_id)


def render(pairs: PRF, cubed: PRF, amounts: AmountScore, stories: int, items: int) -> list[str]:
    """The lines ``regalerts eval --stories`` prints."""
    lines = [f"{items} items, {stories} predicted stories", f"{'':10} precision recall  F1"]
    for name, score in (("pairwise", pairs), ("B-cubed", cubed)):
        lines.append(f"{name:10} {score.precision:9.3f} {score.recall:6.3f} {score.f1:6.3f}")
    lines.append(
        f"amounts    right {amounts.right}/{amounts.stated} where stated, "
        f"invented {amounts.invented}/{amounts.unstated} where none"
    )
    if amounts.misses:
        lines.append("amount misses: " + ", ".join(amounts.misses))
    return lines
