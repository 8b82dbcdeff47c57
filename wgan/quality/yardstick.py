"""Digit-sample quality that a blur cannot fake: Fréchet distance, precision and coverage.

Pixel W1 (:mod:`wgan.quality.pixel`) ranks a Gaussian with the digits' mean and covariance
above a trained WGAN, the mean image above most runs and one perfect digit repeated
below blur: a transport cost in pixels rewards matching the first two moments. So do the
Fréchet distances in features that are close to linear in the pixels (the hidden layer
of the 8x8 MLP of :mod:`wgan.quality.digits`).

This module's judge is a small convolutional network at the samples' own resolution
(16x16), trained on the 1,618 **training** digits (shifted by up to two pixels) against
an eleventh class, *not a digit*, whose examples include what a moment-matched blur
produces: Gaussians with the held-out digits' mean and covariance, the mean image with
noise, pairs of digits superimposed, pixel-shuffled digits, uniform and smooth noise and
constant images. From it come three numbers per batch of samples
(:func:`sample_quality`):

- **Fréchet distance** (FD) between Gaussians fitted to its 64 penultimate features of
  the samples and of the 179 held-out digits, which neither the judge nor any run saw
  (:func:`frechet_distance`); lower is better. The floor is ``n`` real
  training digits; the judge has seen those, so the floor is, if anything, optimistic:
  a generator is held to a stricter standard, never a looser one.
- **precision**: the share of samples it calls a digit with probability at least
  :data:`CONFIDENT` (0.9).
- **coverage**: digit classes reached by those confident samples, each by at least
  :data:`~wgan.quality.digits.MIN_SHARE` of all samples (0 to 10).

:func:`trivial_table` scores the trivial generators of :mod:`wgan.quality.trivial` with
the same three numbers; ``tests/quality/test_yardstick.py`` shows they come out in the
order a reader would give them, and that a Gaussian per class, which the judge never saw,
is also ranked below real digits.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from numpy.typing import ArrayLike
from torch import nn
from torch.nn import functional as F

from wgan.files import atomic_path
from wgan.paths import cache_dir
from wgan.quality.digits import MIN_SHARE, N_DIGITS, NOT_A_DIGIT, labelled_digits
from wgan.quality.pixel import as_pixels
from wgan.quality.trivial import moment_matched_gaussian, trivial_samples

SIDE = 16  # the judge sees 16x16 images, the quick and smoke scales' sample size
FEATURES = 64  # width of the penultimate layer the Fréchet distance is measured in
CONFIDENT = 0.9  # a sample is a confident digit when its top digit probability is >= this
TRAIN_STEPS = 1000
BATCH = 128  # digits per training step, with as many negatives
MAX_SHIFT = 2  # pixels of random translation of the training digits
YARDSTICK_VERSION = 2  # bump when the recipe changes: the cache key includes it


def to_side(images: torch.Tensor) -> torch.Tensor:
    """Images of shape ``(n, 1, H, W)`` in [-1, 1] resized to ``(n, 1, 16, 16)`` (area
    averaging when shrinking, bilinear when enlarging)."""
    if images.shape[-2:] == (SIDE, SIDE):
        return images
    if images.shape[-1] > SIDE:
        return F.adaptive_avg_pool2d(images, SIDE)
    return F.interpolate(images, size=(SIDE, SIDE), mode="bilinear", align_corners=False)


class ConvDigitJudge(nn.Module):
    """Eleven-way convolutional classifier (digits 0-9, *not a digit*) with a feature layer.

    ``(n, 1, 16, 16)`` images in [-1, 1]: ``Conv(1, 32, 3)``, ReLU, max-pool to 8x8;
    ``Conv(32, 64, 3)``, ReLU, max-pool to 4x4; ``Linear(1024, 64)``, ReLU (the
    features); ``Linear(64, 11)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * (SIDE // 4) ** 2, FEATURES), nn.ReLU(),
        )
        self.head = nn.Linear(FEATURES, N_DIGITS + 1)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate features of shape ``(n, 64)``."""
        return self.body(to_side(images))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits of shape ``(n, 11)``."""
        return self.head(self.features(images))


def shifted(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image translated by a random whole number of pixels in [-2, 2] per axis, the
    uncovered border filled with the background (-1)."""
    pad = MAX_SHIFT
    padded = F.pad(images, (pad, pad, pad, pad), value=-1.0)
    offsets = torch.randint(0, 2 * pad + 1, (len(images), 2), generator=generator)
    span = torch.arange(images.shape[-1])
    rows = (offsets[:, 0, None] + span)[:, :, None]  # (n, side, 1)
    cols = (offsets[:, 1, None] + span)[:, None, :]  # (n, 1, side)
    batch = torch.arange(len(images))[:, None, None]
    return padded[batch, 0, rows, cols].unsqueeze(1)


def negatives(digits: torch.Tensor, n: int, generator: torch.Generator,
              blurs: torch.Tensor | None = None) -> torch.Tensor:
    """``n`` synthetic images that are no digit, in equal parts of seven kinds.

    Gaussians with the digits' mean and covariance; the mean digit plus Gaussian noise
    (standard deviation 0.1-0.5); two digits superimposed (their pixel-wise maximum);
    the digits' pixels shuffled; uniform noise; smooth noise (4x4 upscaled); constants.

    Parameters
    ----------
    digits : torch.Tensor of shape (m, 1, 16, 16)
        Real digits in [-1, 1].
    n : int
    generator : torch.Generator
    blurs : torch.Tensor of shape (b, 1, 16, 16) or None, default=None
        Draws of :func:`~wgan.quality.trivial.moment_matched_gaussian` of ``digits`` to pick
        the Gaussian seventh from (training draws them once); ``None``: drawn now.

    Returns
    -------
    torch.Tensor of shape (n, 1, 16, 16)
    """
    k = n // 7
    shape = (1, SIDE, SIDE)
    m = len(digits)

    def pick(count: int) -> torch.Tensor:
        return digits[torch.randint(0, m, (count,), generator=generator)]

    if blurs is None:
        gaussian = moment_matched_gaussian(digits, k, generator)
    else:
        gaussian = blurs[torch.randint(0, len(blurs), (k,), generator=generator)]
    spread = 0.1 + 0.4 * torch.rand(k, 1, 1, 1, generator=generator)
    mean = (digits.mean(0) + spread * torch.randn(k, *shape, generator=generator)).clamp(-1, 1)
    overlaid = torch.maximum(pick(k), pick(k))
    source = pick(k).flatten(1)
    order = torch.argsort(torch.rand(source.shape, generator=generator), dim=1)
    shuffled = torch.gather(source, 1, order).reshape(k, *shape)
    noise = torch.rand(k, *shape, generator=generator) * 2 - 1
    smooth = F.interpolate(torch.rand(k, 1, 4, 4, generator=generator) * 2 - 1, size=SIDE,
                           mode="bilinear", align_corners=False)
    constant = (torch.rand(n - 6 * k, 1, 1, 1, generator=generator) * 2 - 1).expand(
        n - 6 * k, *shape)
    return torch.cat([gaussian, mean, overlaid, shuffled, noise, smooth, constant])


@dataclass
class Yardstick:
    """The trained judge with its measured accuracy.

    Attributes
    ----------
    model : ConvDigitJudge
        In eval mode.
    accuracy : float
        Share of the 179 held-out digits (none of which it was trained on) whose most
        likely class is their own digit.
    n_train : int
        Training digits it was trained on (1,618).
    """

    model: ConvDigitJudge
    accuracy: float
    n_train: int

    @torch.no_grad()
    def read(self, images: torch.Tensor | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Features and class probabilities of a batch of one-channel images.

        Parameters
        ----------
        images : torch.Tensor or numpy.ndarray of shape (n, 1, H, W)
            Floats in [-1, 1] (clamped) or uint8.

        Returns
        -------
        features : numpy.ndarray of shape (n, 64), float64
        probabilities : numpy.ndarray of shape (n, 11), float64
            Column 10: not a digit.
        """
        shape = np.shape(images)
        pixels = as_pixels(images, "images", "Yardstick.read")
        if shape[1] != 1:
            raise ValueError(
                "The 'images' parameter of Yardstick.read must hold one-channel (digit) "
                f"images. Got {shape[1]} channels instead."
            )
        batch = torch.from_numpy(pixels).float().reshape(shape)
        self.model.eval()
        features = torch.cat([self.model.features(chunk) for chunk in batch.split(512)])
        probabilities = self.model.head(features).softmax(dim=1)
        return features.double().numpy(), probabilities.double().numpy()


def train_yardstick(seed: int = 0, steps: int = TRAIN_STEPS) -> Yardstick:
    """Train :class:`ConvDigitJudge` on the training digits; measure it on the held-out ones.

    Adam (lr 3e-3 annealed to 0 on a cosine, weight decay 1e-4): each step shows 128
    training digits, shifted at random, and as many fresh negatives (:func:`negatives`),
    all with Gaussian pixel noise of standard deviation 0.05. About a minute on one core.
    The global torch random state is left as it was.

    Parameters
    ----------
    seed : int, default=0
        Seed of the initialisation, the shifts and the negatives.
    steps : int, default=1000

    Returns
    -------
    Yardstick
    """
    if not isinstance(steps, int) or steps <= 0:
        raise ValueError(
            f"The 'steps' parameter of train_yardstick must be a positive int. "
            f"Got {steps!r} instead."
        )
    images, labels = labelled_digits("train", image_size=SIDE)
    digits = torch.from_numpy(as_pixels(images)).float().reshape(images.shape)
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ConvDigitJudge()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    not_a_digit = torch.full((BATCH,), NOT_A_DIGIT)
    blurs = moment_matched_gaussian(digits, 16 * BATCH, generator)
    model.train()
    for _ in range(steps):
        batch = torch.randint(0, len(digits), (BATCH,), generator=generator)
        inputs = torch.cat([shifted(digits[batch], generator),
                            negatives(digits, BATCH, generator, blurs)])
        inputs = inputs + 0.05 * torch.randn(inputs.shape, generator=generator)
        targets = torch.cat([labels[batch], not_a_digit])
        loss = F.cross_entropy(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
    model.eval()
    test_images, test_labels = labelled_digits("heldout", image_size=SIDE)
    judge = Yardstick(model, 0.0, len(labels))
    _, probabilities = judge.read(test_images)
    judge.accuracy = float(np.mean(probabilities.argmax(1) == test_labels.numpy()))
    return judge


def yardstick(seed: int = 0, *, cache: bool = True) -> Yardstick:
    """The judge, from the cache or trained now (:func:`train_yardstick`).

    Parameters
    ----------
    seed : int, default=0
    cache : bool, default=True
        Read and write ``cache_dir() / "quality" / "yardstick-v{VERSION}-seed{seed}.pt"``;
        a damaged file is replaced.

    Returns
    -------
    Yardstick
    """
    path = cache_dir() / "quality" / f"yardstick-v{YARDSTICK_VERSION}-seed{seed}.pt"
    if cache and path.is_file():
        try:
            stored = torch.load(path, map_location="cpu", weights_only=True)
            model = ConvDigitJudge()
            model.load_state_dict(stored["state_dict"])
            return Yardstick(model.eval(), float(stored["accuracy"]), int(stored["n_train"]))
        except (OSError, RuntimeError, KeyError, EOFError, pickle.UnpicklingError):
            pass  # damaged or from another recipe: train again and overwrite
    judge = train_yardstick(seed)
    if cache:
        with atomic_path(path) as temporary:
            torch.save({"state_dict": judge.model.state_dict(), "accuracy": judge.accuracy,
                        "n_train": judge.n_train}, temporary)
    return judge


def frechet_distance(mu1: ArrayLike, sigma1: ArrayLike, mu2: ArrayLike, sigma2: ArrayLike
                     ) -> float:
    """Squared Frechet (2-Wasserstein) distance between two Gaussians.

    ``||mu1 - mu2||^2 + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))``.

    Parameters
    ----------
    mu1, mu2 : array-like of shape (d,)
    sigma1, sigma2 : array-like of shape (d, d)
        Symmetric positive semi-definite covariances.

    Returns
    -------
    float
        Non-negative (rounding can make a distance of 0 slightly negative; it is clipped).
    """
    m1, m2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    s1, s2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2,
                                                                                     np.float64))
    d = m1.shape[0]
    if m1.shape != (d,) or m2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(
            "The parameters of frechet_distance must be two means of shape (d,) and two "
            f"covariances of shape (d, d). Got {m1.shape}, {s1.shape}, {m2.shape} and "
            f"{s2.shape} instead."
        )
    # tr((s1 s2)^(1/2)) = tr((r1 s2 r1)^(1/2)) with r1 = s1^(1/2): symmetric throughout, so
    # eigh gives it for singular covariances too (collapsed samples have a zero covariance).
    values, vectors = np.linalg.eigh((s1 + s1.T) / 2)
    r1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = r1 @ s2 @ r1
    trace_root = float(np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2),
                                              0, None))))
    value = float(np.sum((m1 - m2) ** 2) + np.trace(s1) + np.trace(s2) - 2.0 * trace_root)
    return max(value, 0.0)


@dataclass(frozen=True)
class SampleQuality:
    """What the judge says of a batch of samples against the held-out reference.

    Attributes
    ----------
    frechet : float
        Fréchet distance between Gaussians fitted to the judge's 64 features of the
        samples and of the reference (lower is better; read against the floor).
    precision : float
        Share of samples called a digit with probability >= :data:`CONFIDENT`, in [0, 1].
    coverage : int
        Digits that at least :data:`~wgan.quality.digits.MIN_SHARE` of all samples are
        confidently called (0 to 10).
    """

    frechet: float
    precision: float
    coverage: int


QUALITY_FIELDS: tuple[str, ...] = ("frechet", "precision", "coverage")
"""The fields of :class:`SampleQuality`, as the columns of the tables that hold them."""


def sample_quality(images: torch.Tensor | np.ndarray, reference: torch.Tensor | np.ndarray,
                   judge: Yardstick) -> SampleQuality:
    """Fréchet distance, precision and coverage of ``images`` (see the module docstring).

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray of shape (n, 1, H, W)
        Generated images (floats in [-1, 1], clamped) or uint8; ``n >= 2``.
    reference : torch.Tensor or numpy.ndarray of shape (m, 1, H', W')
        Held-out real digits; ``m >= 2``.
    judge : Yardstick

    Returns
    -------
    SampleQuality
    """
    if len(images) < 2 or len(reference) < 2:
        raise ValueError(
            "The 'images' and 'reference' parameters of sample_quality must hold at least 2 "
            f"images each (a covariance needs two). Got {len(images)} and {len(reference)}."
        )
    features, probabilities = judge.read(images)
    reference_features, _ = judge.read(reference)
    frechet = frechet_distance(features.mean(0), np.cov(features, rowvar=False),
                               reference_features.mean(0),
                               np.cov(reference_features, rowvar=False))
    top = probabilities[:, :N_DIGITS].max(axis=1)
    confident = top >= CONFIDENT
    counts = np.bincount(probabilities[confident, :N_DIGITS].argmax(axis=1),
                         minlength=N_DIGITS)
    return SampleQuality(
        frechet=frechet,
        precision=float(confident.mean()),
        coverage=int(np.sum(counts >= MIN_SHARE * len(images) - 1e-9)),
    )


def class_shares(images: torch.Tensor | np.ndarray, judge: Yardstick) -> np.ndarray:
    """Share of ``images`` confidently called each digit, then of the rest.

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray of shape (n, 1, H, W)
    judge : Yardstick

    Returns
    -------
    numpy.ndarray of shape (11,)
        Entries 0-9: share of images whose top digit probability is at least
        :data:`CONFIDENT` and is that digit; entry 10: every other image (not a confident
        digit). Sums to 1.
    """
    _, probabilities = judge.read(images)
    top = probabilities[:, :N_DIGITS].max(axis=1)
    classes = np.where(top >= CONFIDENT, probabilities[:, :N_DIGITS].argmax(axis=1), N_DIGITS)
    return np.bincount(classes, minlength=N_DIGITS + 1) / len(classes)


def trivial_table(train: torch.Tensor, reference: torch.Tensor, n: int, judge: Yardstick, *,
                  labels: torch.Tensor | None = None, seed: int = 0) -> pd.DataFrame:
    """The trivial generators (:func:`wgan.quality.trivial.trivial_samples`) scored.

    Parameters
    ----------
    train : torch.Tensor of shape (N, 1, H, W), uint8
        Training images, the trivial generators' source.
    reference : torch.Tensor of shape (m, 1, H, W), uint8
        The held-out reference.
    n : int
        Samples per generator, as for the runs they are read beside.
    judge : Yardstick
    labels : torch.Tensor of shape (N,) or None, default=None
        Adds the Gaussian per class.
    seed : int, default=0

    Returns
    -------
    pandas.DataFrame
        Indexed by generator (the names of :data:`wgan.quality.trivial.TRIVIAL`), with
        the columns of :data:`QUALITY_FIELDS`.
    """
    samples = trivial_samples(train, n, labels=labels, seed=seed)
    rows = {name: sample_quality(images, reference, judge).__dict__
            for name, images in samples.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")[list(QUALITY_FIELDS)]
    table.index.name = "generator"
    return table
