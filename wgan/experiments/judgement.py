"""A chapter's judgement of a claim as a value: verdict, what was measured, and adequacy.

Every rule of :mod:`wgan.experiments` returns a :class:`Judgement`; a notebook hands its
fields to :func:`wgan.report.claims.report` unchanged, so no page builds a verdict's
sentence itself.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_TESTED = "not tested at this scale"


@dataclass(frozen=True)
class Judgement:
    """A rule's outcome.

    Attributes
    ----------
    verdict : str
        One of :data:`wgan.report.claims.VERDICTS`.
    measured : str
        The test and its numbers, in words (no NaN).
    adequate : bool or None, default=None
        Whether the experiment met the claim's declared adequacy condition; ``None`` when
        the claim declares none. ``False`` always comes with :data:`NOT_TESTED`.
    adequacy : str, default=""
        What was measured of the condition and, when it failed, what would test the claim.
    """

    verdict: str
    measured: str
    adequate: bool | None = None
    adequacy: str = ""

    def __post_init__(self) -> None:
        if self.adequate is False and self.verdict != NOT_TESTED:
            raise ValueError(
                f"An inadequate experiment's verdict is {NOT_TESTED!r}, not {self.verdict!r} "
                f"({self.adequacy or 'no reason given'})."
            )


def no_yardstick(dataset: str) -> Judgement:
    """The judgement of a claim that needs sample quality, on data the yardstick cannot
    judge (:mod:`wgan.quality.yardstick` judges digits only; on other data the pixel W1,
    which a moment-matched Gaussian beats, is all there is)."""
    return Judgement(
        NOT_TESTED, f"no measure of sample quality that a blur cannot pass on {dataset}",
        adequate=False,
        adequacy=f"the yardstick judges digits only; on {dataset} the pixel W1 is all there "
                 "is, and a Gaussian with the data's moments beats it")
