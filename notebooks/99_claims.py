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
# what that chapter measured, at which scale, and its verdict: *reproduced*, *partly
# reproduced*, *not reproduced*, or *not tested at this scale*.
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
from wgan.report.claims import CLAIMS, VERDICTS, ledger
from wgan.report.ledger import book_chapters, ledger_html
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
# The ledger lists each of the paper's claims once, in the paper's order, and every verdict
# is one of the four a chapter may give, or says that the chapter was not run.

# %%
not_run = "chapter not run at this scale"
assert list(table["claim"]) == [claim.statement for claim in CLAIMS], "a claim is missing"
assert set(table["verdict"]) <= {*VERDICTS, not_run}, f"unknown verdict in {set(table['verdict'])}"
assert (table["scale"] == scale.name).all(), "a record was measured at another scale"

# %% [markdown]
# ## Verdict

# %%
counts = table["verdict"].value_counts()
print(
    f"At scale {scale.name}: {counts.get('reproduced', 0)} of {len(table)} claims reproduced, "
    f"{counts.get('partly reproduced', 0)} partly, {counts.get('not reproduced', 0)} not "
    f"reproduced, {counts.get('not tested at this scale', 0)} not tested at this scale, "
    f"{counts.get(not_run, 0)} whose chapter was not run."
)
print(record.summary())
