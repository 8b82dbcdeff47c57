"""What turns runs into the book's pages: scales, provenance, figures, claims and the ledger.

- :mod:`wgan.book.scales`      ``smoke``, ``quick``, ``paper`` and per-scale settings.
- :mod:`wgan.book.provenance`  what produced a result: scale, data, device, versions, commit.
- :mod:`wgan.book.plotting`    the provenance stamp on figures; shared panel drawings.
- :mod:`wgan.book.curves`      median-filtered learning curves, as the paper plots them.
- :mod:`wgan.book.sheets`      sample grids along a run.
- :mod:`wgan.book.claims`      each chapter's verdicts on the paper's claims.
- :mod:`wgan.book.ledger`      the claims of every chapter in one table.
"""
