"""The paper's generators and critics, built by name.

Three architectures, chosen independently for the generator and the critic
(Section 4.3-4.4 and Figures 4-8 of the paper):

``dcgan``
    The DCGAN of Radford et al. (2015) as in the authors' code: a generator of
    transposed convolutions halving the channels while doubling the side, with
    BatchNorm and ReLU, ending in Tanh; a critic of strided convolutions with
    LeakyReLU(0.2) and BatchNorm, ending in a single output **without a sigmoid**.
``dcgan_nobn``
    The generator of Figure 7: no BatchNorm *and a constant number of filters*
    (``ngf``) at every layer, "a bit more than an order of magnitude" fewer parameters
    than the DCGAN generator (:func:`count_parameters`; at 64x64 RGB, ngf=64:
    0.30 M against 3.58 M). This follows the paper's text; the authors' public no-BN
    generator kept the DCGAN channel pyramid. As a critic: the DCGAN critic without
    BatchNorm (the paper never uses it; provided for symmetry).
``mlp``
    The ReLU MLP of Figures 4 and 8: four linear layers, the three hidden ones of
    ``mlp_hidden`` (512) units, as in the authors' code. The generator has no final
    Tanh (authors' code). The only architecture for flat (toy) samples.

A generator maps noise ``z`` of shape ``(m, nz)`` to samples ``(m, *sample_shape)``; a
critic maps ``(m, *sample_shape)`` to ``(m,)``. ``build_critic(..., sigmoid=True)`` gives
the standard-GAN discriminator: the same network followed by a sigmoid
(:class:`Discriminator`).

Convolutional nets accept any square image side that is a multiple of 16 and any number
of channels. The side is halved (critic) or doubled (generator) by 4x4 stride-2
convolutions between the image and a base side of 4 to 9 pixels: for sides ``4 * 2**k``
(16, 32, 64, ...) this is exactly DCGAN's 4x4 base; other multiples of 16 (48, 80, ...)
get a base of 5-9 pixels and a base-sized first/last kernel.
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from collections.abc import Callable

import torch
from torch import nn

from wgan.training.config import ARCHITECTURES, TrainConfig

MLP_HIDDEN_LAYERS = 3  # hidden ReLU layers; with the output layer, the "4-layer" MLP


class Discriminator(nn.Module):
    """A critic followed by a sigmoid: the standard GAN's D(x) in (0, 1).

    The GAN baseline trains on :meth:`logits` with BCE-with-logits, which is the same
    objective as ``log(sigmoid(.))`` but numerically stable.

    Parameters
    ----------
    critic : nn.Module
        Maps ``(m, *sample_shape)`` to logits of shape ``(m,)``.
    """

    def __init__(self, critic: nn.Module) -> None:
        super().__init__()
        self.critic = critic

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-sigmoid output, shape ``(m,)``."""
        return self.critic(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """D(x), the probability that ``x`` is real, shape ``(m,)``."""
        return torch.sigmoid(self.critic(x))


def conv_pyramid(side: int) -> tuple[int, int]:
    """Base side and number of stride-2 layers between it and an image of side ``side``.

    The side is halved while it is even and at least 8, so ``side = base * 2**layers``.

    Parameters
    ----------
    side : int
        Image side in pixels, a positive multiple of 16.

    Returns
    -------
    base : int
        Side of the smallest feature map (4 for 16, 32, 64, 128, ...; 6 for 48).
    layers : int
        Number of 4x4 stride-2 (transposed) convolutions (4 for 64x64).
    """
    base, layers = side, 0
    while base % 2 == 0 and base >= 8:
        base //= 2
        layers += 1
    return base, layers


class ConvGenerator(nn.Module):
    """Transposed-convolution generator: DCGAN's, or the paper's no-BN variant.

    For a 64x64 image, ``channels = [8 ngf, 4 ngf, 2 ngf, ngf]`` (DCGAN) gives::

        z                       nz x 1 x 1
        convT 4x4, BN, ReLU     (ngf*8) x 4 x 4
        convT 4x4 s2, BN, ReLU  (ngf*4) x 8 x 8
        convT 4x4 s2, BN, ReLU  (ngf*2) x 16 x 16
        convT 4x4 s2, BN, ReLU  ngf x 32 x 32
        convT 4x4 s2, Tanh      nc x 64 x 64

    and ``channels = [ngf] * 4`` with ``batch_norm=False`` gives the generator of Figure 7.

    Parameters
    ----------
    nz : int
        Dimension of the noise z.
    sample_shape : tuple of int
        ``(nc, side, side)``.
    channels : list of int
        Channels after each layer but the last, one per stride-2 layer (``layers`` of
        :func:`conv_pyramid`), from the base map up.
    batch_norm : bool
        BatchNorm after every layer but the last.
    """

    def __init__(
        self, nz: int, sample_shape: tuple[int, int, int], channels: list[int], batch_norm: bool
    ) -> None:
        super().__init__()
        nc, side, _ = sample_shape
        base, _ = conv_pyramid(side)
        self.nz = nz
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        # z: nz x 1 x 1 -> channels[0] x base x base
        blocks["input"] = _up_block(nz, channels[0], base, 1, 0, batch_norm)
        for i, (c_in, c_out) in enumerate(itertools.pairwise(channels)):
            # channels[i] x (base * 2**i) x (base * 2**i) -> channels[i+1] x twice that side
            blocks[f"up{i + 1}"] = _up_block(c_in, c_out, 4, 2, 1, batch_norm)
        # channels[-1] x side/2 x side/2 -> nc x side x side, in [-1, 1]
        blocks["output"] = nn.Sequential(
            nn.ConvTranspose2d(channels[-1], nc, 4, 2, 1, bias=False), nn.Tanh()
        )
        self.main = nn.Sequential(blocks)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map noise ``(m, nz)`` to images ``(m, nc, side, side)`` in [-1, 1]."""
        return self.main(z.reshape(z.shape[0], self.nz, 1, 1))


class ConvCritic(nn.Module):
    """DCGAN's convolutional critic, without the sigmoid.

    For a 64x64 image::

        x                            nc x 64 x 64
        conv 4x4 s2, LeakyReLU       ndf x 32 x 32
        conv 4x4 s2, BN, LeakyReLU   (ndf*2) x 16 x 16
        conv 4x4 s2, BN, LeakyReLU   (ndf*4) x 8 x 8
        conv 4x4 s2, BN, LeakyReLU   (ndf*8) x 4 x 4
        conv 4x4                     1 x 1 x 1

    Parameters
    ----------
    sample_shape : tuple of int
        ``(nc, side, side)``.
    ndf : int
        Channels of the first layer; doubled at every further stride-2 layer.
    batch_norm : bool
        BatchNorm after every inner layer (DCGAN), or none.
    """

    def __init__(self, sample_shape: tuple[int, int, int], ndf: int, batch_norm: bool) -> None:
        super().__init__()
        nc, side, _ = sample_shape
        base, layers = conv_pyramid(side)
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        # nc x side x side -> ndf x side/2 x side/2 (no BatchNorm on the input layer)
        blocks["input"] = _down_block(nc, ndf, batch_norm=False)
        channels = ndf
        for i in range(1, layers):
            # channels x s x s -> (2 channels) x s/2 x s/2, down to base x base
            blocks[f"down{i}"] = _down_block(channels, 2 * channels, batch_norm)
            channels *= 2
        # (ndf * 2**(layers-1)) x base x base -> 1 x 1 x 1
        blocks["output"] = nn.Conv2d(channels, 1, base, 1, 0, bias=False)
        self.main = nn.Sequential(blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map images ``(m, nc, side, side)`` to critic values ``(m,)``."""
        out = self.main(x)
        return out.reshape(out.shape[0])


class MLPGenerator(nn.Module):
    """ReLU MLP generator: ``nz -> hidden -> hidden -> hidden -> prod(sample_shape)``.

    No output non-linearity, as in the authors' code.

    Parameters
    ----------
    nz : int
        Dimension of the noise z.
    sample_shape : tuple of int
        Shape of one sample: ``(d,)`` or ``(nc, side, side)``.
    hidden : int
        Units of each hidden layer (512 in the paper).
    """

    def __init__(self, nz: int, sample_shape: tuple[int, ...], hidden: int) -> None:
        super().__init__()
        self.sample_shape = sample_shape
        self.main = _mlp(nz, hidden, math.prod(sample_shape))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map noise ``(m, nz)`` to samples ``(m, *sample_shape)``."""
        return self.main(z).reshape(z.shape[0], *self.sample_shape)


class MLPCritic(nn.Module):
    """ReLU MLP critic: ``prod(sample_shape) -> hidden -> hidden -> hidden -> 1``.

    Parameters
    ----------
    sample_shape : tuple of int
        Shape of one sample: ``(d,)`` or ``(nc, side, side)``.
    hidden : int
        Units of each hidden layer (512 in the paper).
    """

    def __init__(self, sample_shape: tuple[int, ...], hidden: int) -> None:
        super().__init__()
        self.main = _mlp(math.prod(sample_shape), hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map samples ``(m, *sample_shape)`` to critic values ``(m,)``."""
        return self.main(x.reshape(x.shape[0], -1)).reshape(x.shape[0])


def _up_block(
    c_in: int, c_out: int, kernel: int, stride: int, padding: int, batch_norm: bool
) -> nn.Sequential:
    layers: list[nn.Module] = [nn.ConvTranspose2d(c_in, c_out, kernel, stride, padding, bias=False)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


def _down_block(c_in: int, c_out: int, batch_norm: bool) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=False)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.LeakyReLU(0.2, inplace=True))
    return nn.Sequential(*layers)


def _mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = n_in
    for _ in range(MLP_HIDDEN_LAYERS):
        layers += [nn.Linear(width, hidden), nn.ReLU(inplace=True)]
        width = hidden
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def init_weights(module: nn.Module) -> None:
    """DCGAN initialisation, in place, as in the authors' code.

    Convolution and transposed-convolution weights ~ N(0, 0.02); BatchNorm weights
    ~ N(1, 0.02) and biases 0. Linear layers keep PyTorch's default initialisation (the
    authors' ``weights_init`` touches only Conv and BatchNorm layers). Uses the global
    torch random number generator.

    Parameters
    ----------
    module : nn.Module
        Every submodule is visited.
    """
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(layer.weight, 0.0, 0.02)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)


def spectral_normalize_(critic: nn.Module) -> nn.Module:
    """Spectral normalization of every linear and convolutional layer of ``critic``, in place.

    Each layer's weight W is replaced by ``W / sigma(W)``, sigma estimated by one power
    iteration per forward pass in training mode
    (:func:`torch.nn.utils.parametrizations.spectral_norm`; Miyato et al., 2018), so each
    layer is 1-Lipschitz once the iteration has converged. Convolutions are normalised by
    the norm of their weight reshaped to ``(c_out, c_in * k * k)``, as Miyato et al. do.

    Parameters
    ----------
    critic : nn.Module

    Returns
    -------
    nn.Module
        ``critic`` itself.

    Raises
    ------
    ValueError
        If ``critic`` has no linear or convolutional layer.
    """
    layers = [m for m in critic.modules() if isinstance(m, nn.Linear | nn.Conv2d)]
    if not layers:
        raise ValueError(
            "The 'critic' parameter of spectral_normalize_ must have linear or convolutional "
            f"layers. Got a {type(critic).__name__} with none instead."
        )
    for layer in layers:
        nn.utils.parametrizations.spectral_norm(layer)
    return critic


def count_parameters(module: nn.Module) -> int:
    """Number of trainable scalars in ``module`` (what Figure 7's comparison counts)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def build_generator(
    name: str,
    sample_shape: tuple[int, ...],
    *,
    nz: int = 100,
    ngf: int = 64,
    mlp_hidden: int = 512,
) -> nn.Module:
    """Build and initialise the generator called ``name``.

    Parameters
    ----------
    name : {"dcgan", "dcgan_nobn", "mlp"}
        Architecture (see the module docstring).
    sample_shape : tuple of int
        Shape of one sample: ``(nc, side, side)`` with ``side`` a multiple of 16, or
        ``(d,)`` for toy data (``mlp`` only).
    nz : int, default=100
        Dimension of the noise z.
    ngf : int, default=64
        Base channel count of the convolutional generators.
    mlp_hidden : int, default=512
        Hidden width of the MLP.

    Returns
    -------
    nn.Module
        Maps ``(m, nz)`` to ``(m, *sample_shape)``; DCGAN-initialised
        (:func:`init_weights`).

    Raises
    ------
    ValueError
        On an unknown name, a non-positive size, or a shape the architecture cannot make.
    """
    sample_shape = _check_common("build_generator", name, sample_shape)
    _check_positive("build_generator", nz=nz, ngf=ngf, mlp_hidden=mlp_hidden)
    builders: dict[str, Callable[[], nn.Module]] = {
        "dcgan": lambda: ConvGenerator(
            nz, _image_shape(name, sample_shape), _pyramid_channels(ngf, sample_shape), True
        ),
        "dcgan_nobn": lambda: ConvGenerator(
            nz, _image_shape(name, sample_shape), _constant_channels(ngf, sample_shape), False
        ),
        "mlp": lambda: MLPGenerator(nz, sample_shape, mlp_hidden),
    }
    generator = builders[name]()
    init_weights(generator)
    return generator


def build_critic(
    name: str,
    sample_shape: tuple[int, ...],
    *,
    ndf: int = 64,
    mlp_hidden: int = 512,
    sigmoid: bool = False,
) -> nn.Module:
    """Build and initialise the critic (or, with ``sigmoid=True``, discriminator) ``name``.

    Parameters
    ----------
    name : {"dcgan", "dcgan_nobn", "mlp"}
        Architecture (see the module docstring).
    sample_shape : tuple of int
        Shape of one sample: ``(nc, side, side)`` with ``side`` a multiple of 16, or
        ``(d,)`` for toy data (``mlp`` only).
    ndf : int, default=64
        Base channel count of the convolutional critics.
    mlp_hidden : int, default=512
        Hidden width of the MLP.
    sigmoid : bool, default=False
        Wrap the critic in a :class:`Discriminator` (the standard GAN's D).

    Returns
    -------
    nn.Module
        Maps ``(m, *sample_shape)`` to ``(m,)``; DCGAN-initialised.

    Raises
    ------
    ValueError
        On an unknown name, a non-positive size, or a shape the architecture cannot take.
    """
    sample_shape = _check_common("build_critic", name, sample_shape)
    _check_positive("build_critic", ndf=ndf, mlp_hidden=mlp_hidden)
    builders: dict[str, Callable[[], nn.Module]] = {
        "dcgan": lambda: ConvCritic(_image_shape(name, sample_shape), ndf, True),
        "dcgan_nobn": lambda: ConvCritic(_image_shape(name, sample_shape), ndf, False),
        "mlp": lambda: MLPCritic(sample_shape, mlp_hidden),
    }
    critic = builders[name]()
    init_weights(critic)
    return Discriminator(critic) if sigmoid else critic


def build_models(config: TrainConfig, sample_shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """The generator and critic (a :class:`Discriminator` for ``algorithm="gan"``) of a run.

    Parameters
    ----------
    config : TrainConfig
        Supplies the architecture names and sizes.
    sample_shape : tuple of int
        Shape of one real sample (the batch stream's ``sample_shape``).

    Returns
    -------
    generator, critic : nn.Module
        The critic spectrally normalised (:func:`spectral_normalize_`) when
        ``config.lipschitz == "sn"``.
    """
    generator = build_generator(
        config.generator, sample_shape, nz=config.nz, ngf=config.ngf,
        mlp_hidden=config.mlp_hidden,
    )
    critic = build_critic(
        config.critic, sample_shape, ndf=config.ndf, mlp_hidden=config.mlp_hidden,
        sigmoid=config.algorithm == "gan",
    )
    if config.lipschitz == "sn":
        spectral_normalize_(critic)
    return generator, critic


def _check_common(caller: str, name: str, sample_shape: tuple[int, ...]) -> tuple[int, ...]:
    if name not in ARCHITECTURES:
        raise ValueError(
            f"The 'name' parameter of {caller} must be one of "
            f"{', '.join(map(repr, ARCHITECTURES))}. Got {name!r} instead."
        )
    shape = tuple(sample_shape)
    if not shape or not all(isinstance(s, int) and s > 0 for s in shape):
        raise ValueError(
            f"The 'sample_shape' parameter of {caller} must be a non-empty tuple of positive "
            f"ints, (d,) or (C, H, W). Got {sample_shape!r} instead."
        )
    return shape


def _check_positive(caller: str, **sizes: int) -> None:
    for key, value in sizes.items():
        if not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"The '{key}' parameter of {caller} must be a positive int. "
                f"Got {value!r} instead."
            )


def _image_shape(name: str, shape: tuple[int, ...]) -> tuple[int, int, int]:
    if len(shape) != 3 or shape[1] != shape[2] or shape[1] % 16:
        raise ValueError(
            f"The {name!r} architecture needs an image sample_shape (C, H, W) with H == W a "
            f"multiple of 16. Got {shape} instead. Use 'mlp' for flat (toy) samples, or "
            "resize the images."
        )
    return shape[0], shape[1], shape[2]


def _pyramid_channels(ngf: int, shape: tuple[int, ...]) -> list[int]:
    """DCGAN: ``ngf * 2**(layers-1)`` at the base, halved at every layer up to ``ngf``."""
    _, layers = conv_pyramid(shape[-1])
    return [ngf * 2 ** (layers - 1 - i) for i in range(layers)]


def _constant_channels(ngf: int, shape: tuple[int, ...]) -> list[int]:
    """Figure 7: ``ngf`` filters at every layer."""
    _, layers = conv_pyramid(shape[-1])
    return [ngf] * layers
