# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The claims ledger
#
# Every claim the paper makes, where it makes it, the chapter of this book that tests it,
# the test and the rule its verdict follows (declared in `wgan.report.claims.CLAIMS`
# before any run), the seeds it rests on, what that chapter measured with its interval,
# at which scale, and its verdict: *reproduced*, *partly reproduced*, *not reproduced*,
# or *not tested at this scale*.
#
# The claims come in three kinds, one table each: the paper's empirical claims, tested;
# numerical illustrations of results the paper proves (Example 1, Theorems 1-3) or that
# follow by arithmetic (a clipped layer's gain is bounded by its box): their checks cannot
# fail the way an experiment can, so they are marked *illustration shown* and are not
# counted as reproductions; and claims of a later paper (WGAN-GP) that chapter 8 tests.
#
# Nothing on this page is typed in. Each chapter ends by calling `wgan.report.claims.report` with
# the numbers it computed; the call writes a record under `runs/claims/<scale>/`. This page
# is executed after every chapter by `make execute` and reads the records back, so it is
# regenerated with the book. A claim whose chapter was not run at this scale says so, and
# the commit column tells which version of the code measured each row.

# %% tags=["parameters"]
scale = "smoke"
device = "auto"
seed = 0

# %% tags=["hide-input"]
from IPython.display import HTML

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, KINDS, NOT_RUN, VERDICTS, ledger
from wgan.report.ledger import book_chapters, ledger_html, ledger_summary
from wgan.report.provenance import provenance

scale = Scale.from_env(scale)  # the dry-run switch ($WGAN_DRY_RUN) read once
record = provenance(scale, device, seed, dataset="the chapters' claim records (runs/claims)")
print(record)
record

# %% [markdown]
# ## The ledger

# %% tags=["hide-input"]
table = ledger(scale)
HTML(ledger_html(table, linked=book_chapters()))

# %% [markdown]
# ## Checks
#
# The ledger lists each claim once, grouped by kind and in the paper's order within a
# kind, and every verdict is one of the four a chapter may give, or says that the chapter
# was not run.

# %%
by_kind = sorted(CLAIMS, key=lambda claim: list(KINDS).index(claim.kind))
assert list(table["claim"]) == [claim.statement for claim in by_kind], "a claim is missing"
assert set(table["verdict"]) <= {*VERDICTS, NOT_RUN}, f"unknown verdict in {set(table['verdict'])}"
assert (table["scale"] == scale.name).all(), "a record was measured at another scale"

# %% [markdown]
# ## Verdict

# %%
print(ledger_summary(table, scale.name))
print(record.summary())
