"""A small digit classifier as an independent judge of generated digits.

On the embedded ``digits`` data the labels make two questions measurable that the paper
answers with pictures: *do the samples look like digits* (confidence) and *are all ten
digits generated* (class coverage: mode collapse as a number, Section 4.4 and Figure 8).

The classifier is trained at run time, in seconds, on the **held-out** split of the
digits (:mod:`wgan.data.split`), which no training run sees, and is cached under
``wgan.paths.cache_dir() / "quality"``. Its accuracy is measured on the 1,618 training
digits. It sees every image area-averaged down to 8x8 pixels (the digits' native
resolution), through a one-hidden-layer ReLU network.

A plain classifier is confidently wrong on images that are no digit at all (uniform
noise is "an 8" with 98% confidence). So it has an eleventh class, *not a digit*, trained
on synthetic negatives: uniform noise, smooth noise, constant images and real digits
with their pixels shuffled (the right grey levels without the shape). A generator that
produces such images scores a low confidence instead of a spurious full coverage.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.nn import functional as F

from wgan.data.embedded import upscale_digit
from wgan.data.split import split_indices
from wgan.files import atomic_path
from wgan.paths import cache_dir
from wgan.quality.pixel import as_pixels

N_DIGITS = 10
NOT_A_DIGIT = N_DIGITS  # index of the eleventh class
SIDE = 8  # the classifier sees images area-averaged to SIDE x SIDE
HIDDEN = 256
TRAIN_SIDE = 32  # side at which the training digits are rendered before averaging
TRAIN_STEPS = 300
CLASSIFIER_VERSION = 2  # bump when the recipe changes: the cache key includes it
MIN_SHARE = 0.02  # a digit is covered when at least this fraction of samples is that digit


def labelled_digits(split: str = "heldout", image_size: int = TRAIN_SIDE
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """The digits of one split with their labels, rendered as :func:`wgan.data.load_images`.

    Parameters
    ----------
    split : {"heldout", "train"}, default="heldout"
        The fixed split of :func:`wgan.data.split.split_indices` (179 and 1,618 digits).
    image_size : int, default=32
        Side of the images in pixels (bilinear upscaling, :func:`upscale_digit`).

    Returns
    -------
    images : torch.Tensor of shape (n, 1, image_size, image_size), uint8
    labels : torch.Tensor of shape (n,), int64
        Digits 0-9.
    """
    if split not in ("heldout", "train"):
        raise ValueError(
            f"The 'split' parameter of labelled_digits must be 'heldout' or 'train'. "
            f"Got {split!r} instead."
        )
    digits = load_digits()
    heldout, train = split_indices(len(digits.images))
    index = heldout if split == "heldout" else train
    images = np.stack([upscale_digit(digits.images[i], image_size) for i in index])
    return torch.from_numpy(images), torch.from_numpy(digits.target[index].astype(np.int64))


class DigitClassifier(nn.Module):
    """Eleven-way classifier: the digits 0-9 and *not a digit*.

    ``(n, 1, H, W)`` images in [-1, 1], H and W multiples of 8, are area-averaged to
    8x8, flattened to 64 values and mapped through ``Linear(64, 256)``, ReLU,
    ``Linear(256, 11)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.main = nn.Sequential(
            nn.Linear(SIDE * SIDE, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, N_DIGITS + 1)
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits of shape ``(n, 11)`` for images of shape ``(n, 1, H, W)``."""
        return self.main(F.adaptive_avg_pool2d(images, SIDE).flatten(1))

    @torch.no_grad()
    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        """Class probabilities of shape ``(n, 11)`` (column 10: not a digit)."""
        self.eval()
        return self(images).softmax(dim=1)


def non_digits(digits: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Synthetic negatives for the *not a digit* class, at the classifier's 8x8 input.

    A quarter each of: uniform noise in [-1, 1]; uniform 4x4 noise upscaled bilinearly
    (smooth blobs); constant images; the given digits with their 64 pixels shuffled.

    Parameters
    ----------
    digits : torch.Tensor of shape (n, 1, 8, 8)
        Real digits in [-1, 1], the source of the shuffled quarter.
    generator : torch.Generator
        Source of randomness (CPU).

    Returns
    -------
    torch.Tensor of shape (n, 1, 8, 8)
    """
    n = len(digits)
    k = n // 4
    noise = torch.rand(k, 1, SIDE, SIDE, generator=generator) * 2 - 1
    blobs = F.interpolate(torch.rand(k, 1, SIDE // 2, SIDE // 2, generator=generator) * 2 - 1,
                          size=SIDE, mode="bilinear", align_corners=False)
    constant = (torch.rand(k, 1, 1, 1, generator=generator) * 2 - 1).expand(k, 1, SIDE, SIDE)
    source = digits[torch.randint(0, n, (n - 3 * k,), generator=generator)].flatten(1)
    order = torch.argsort(torch.rand(source.shape, generator=generator), dim=1)
    shuffled = torch.gather(source, 1, order).reshape(-1, 1, SIDE, SIDE)
    return torch.cat([noise, blobs, constant, shuffled])


@dataclass
class TrainedClassifier:
    """A digit classifier with its measured accuracy.

    Attributes
    ----------
    model : DigitClassifier
    accuracy : float
        Fraction of the 1,618 training-split digits classified correctly (none of which
        it was trained on).
    n_train : int
        Held-out digits it was trained on (179).
    n_test : int
        Training-split digits its accuracy is measured on (1,618).
    """

    model: DigitClassifier
    accuracy: float
    n_train: int
    n_test: int


def train_digit_classifier(seed: int = 0, steps: int = TRAIN_STEPS) -> TrainedClassifier:
    """Train :class:`DigitClassifier` on the held-out digits; measure it on the others.

    Full-batch Adam (lr 1e-2, weight decay 1e-4) for ``steps`` steps; each step adds
    fresh synthetic negatives (:func:`non_digits`, as many as there are digits) and
    Gaussian pixel noise of standard deviation 0.05. Takes a second or two on a CPU.
    The global torch random state is left as it was.

    Parameters
    ----------
    seed : int, default=0
        Seed of the initialisation and of the negatives.
    steps : int, default=300

    Returns
    -------
    TrainedClassifier
    """
    if not isinstance(steps, int) or steps <= 0:
        raise ValueError(
            f"The 'steps' parameter of train_digit_classifier must be a positive int. "
            f"Got {steps!r} instead."
        )
    images, labels = labelled_digits("heldout")
    digits = F.adaptive_avg_pool2d(torch.from_numpy(as_pixels(images)).float()
                                   .reshape(images.shape), SIDE)
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    targets = torch.cat([labels, torch.full((len(labels),), NOT_A_DIGIT)])
    model.train()
    for _ in range(steps):
        inputs = torch.cat([digits, non_digits(digits, generator)])
        inputs = inputs + 0.05 * torch.randn(inputs.shape, generator=generator)
        loss = F.cross_entropy(model(inputs), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    test_images, test_labels = labelled_digits("train")
    test = torch.from_numpy(as_pixels(test_images)).float().reshape(test_images.shape)
    predicted = model.probabilities(test).argmax(dim=1)
    accuracy = float((predicted == test_labels).float().mean())
    return TrainedClassifier(model.eval(), accuracy, len(labels), len(test_labels))


def digit_classifier(seed: int = 0, *, cache: bool = True) -> TrainedClassifier:
    """The digit classifier, from the cache or trained now (:func:`train_digit_classifier`).

    Parameters
    ----------
    seed : int, default=0
    cache : bool, default=True
        Read and write ``cache_dir() / "quality" / "digit_classifier-v{VERSION}-seed{seed}.pt"``.
        A damaged cache file is replaced.

    Returns
    -------
    TrainedClassifier
    """
    path = cache_dir() / "quality" / f"digit_classifier-v{CLASSIFIER_VERSION}-seed{seed}.pt"
    if cache and path.is_file():
        try:
            stored = torch.load(path, map_location="cpu", weights_only=True)
            model = DigitClassifier()
            model.load_state_dict(stored["state_dict"])
            return TrainedClassifier(model.eval(), float(stored["accuracy"]),
                                     int(stored["n_train"]), int(stored["n_test"]))
        except (OSError, RuntimeError, KeyError, EOFError, pickle.UnpicklingError):
            pass  # damaged or from another recipe: train again and overwrite
    trained = train_digit_classifier(seed)
    if cache:
        with atomic_path(path) as temporary:
            torch.save({"state_dict": trained.model.state_dict(), "accuracy": trained.accuracy,
                        "n_train": trained.n_train, "n_test": trained.n_test}, temporary)
    return trained


@dataclass(frozen=True)
class DigitScores:
    """What the classifier says about a batch of images.

    Attributes
    ----------
    confidence : float
        Mean over images of the probability of the most likely *digit* (an image judged
        not a digit contributes a small value), in [0, 1].
    digit_fraction : float
        Fraction of images whose most likely class is a digit rather than *not a digit*.
    classes_covered : int
        Digits that are the most likely class of at least ``min_share`` of the images
        (0 to 10): 10 means no mode is missing, 1 is a full collapse.
    effective_classes : float
        ``exp`` of the entropy of the predicted-digit histogram (images judged digits
        only): 10 for a uniform spread, 1 for a single digit; NaN when no image is a
        digit.
    shares : numpy.ndarray of shape (11,)
        Fraction of images predicted as each digit, then as *not a digit*.
    min_share : float
        The threshold used for ``classes_covered``.
    """

    confidence: float
    digit_fraction: float
    classes_covered: int
    effective_classes: float
    shares: np.ndarray
    min_share: float


def digit_scores(
    images: torch.Tensor | np.ndarray,
    classifier: DigitClassifier,
    min_share: float = MIN_SHARE,
) -> DigitScores:
    """Confidence and class coverage of a batch of (generated) digit images.

    Parameters
    ----------
    images : torch.Tensor or numpy.ndarray of shape (n, 1, H, W)
        Floats in [-1, 1] (clamped) or uint8; H and W multiples of 8.
    classifier : DigitClassifier
        From :func:`digit_classifier`.
    min_share : float, default=0.02
        Share of the images a digit needs to count as covered (a fifth of the 0.1 of a
        uniform spread; 10 images out of 500).

    Returns
    -------
    DigitScores
    """
    if not 0 < min_share <= 1 / N_DIGITS:
        raise ValueError(
            f"The 'min_share' parameter of digit_scores must be in (0, 0.1]. "
            f"Got {min_share!r} instead."
        )
    pixels = as_pixels(images, "images", "digit_scores")
    shape = np.shape(images)
    if shape[1] != 1 or shape[2] % SIDE or shape[3] % SIDE:
        raise ValueError(
            "The 'images' parameter of digit_scores must hold one-channel images with sides "
            f"that are multiples of {SIDE}. Got images of shape {tuple(shape[1:])} instead."
        )
    batch = torch.from_numpy(pixels).float().reshape(shape)
    probabilities = classifier.probabilities(batch)
    predicted = probabilities.argmax(dim=1)
    shares = np.bincount(predicted.numpy(), minlength=N_DIGITS + 1) / len(predicted)
    digit_shares = shares[:N_DIGITS]
    digit_fraction = float(digit_shares.sum())
    if digit_fraction > 0:
        p = digit_shares[digit_shares > 0] / digit_fraction
        effective = math.exp(-float(np.sum(p * np.log(p))))
    else:
        effective = math.nan
    return DigitScores(
        confidence=float(probabilities[:, :N_DIGITS].max(dim=1).values.mean()),
        digit_fraction=digit_fraction,
        classes_covered=int(np.sum(digit_shares >= min_share - 1e-12)),
        effective_classes=effective,
        shares=shares,
        min_share=min_share,
    )
