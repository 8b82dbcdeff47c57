"""What turns runs into the book's pages: provenance, figures, sample sheets, claims, ledger.

Named ``report`` rather than ``book``: the top-level ``book/`` folder holds the Jupyter
Book's own pages and Sphinx extension, and the two were easy to confuse. It sits at the top
of the package, above the experiments whose runs it draws (``tests/test_architecture.py``).

- :mod:`wgan.report.provenance`  what produced a result: scale, data, device, versions, commit.
- :mod:`wgan.report.plotting`    the provenance stamp on figures; shared panel drawings.
- :mod:`wgan.report.curves`      median-filtered learning curves, as the paper plots them.
- :mod:`wgan.report.sheets`      sample grids along a run.
- :mod:`wgan.report.claims`      each chapter's verdicts on the paper's claims.
- :mod:`wgan.report.ledger`      the claims of every chapter in one table.
- :mod:`wgan.report.lipschitz`   chapter 8's figures of a swept clip value.
"""
