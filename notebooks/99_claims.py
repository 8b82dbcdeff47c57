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
# Every claim the paper makes, with the verdict of the chapter that tests it:
# *reproduced*, *partly reproduced*, *not reproduced* (the experiment could test the claim
# and the evidence goes against it) or *not tested at this scale* (the experiment was too
# small to test it). Each row gives the decisive number with its interval and whether the
# experiment met the condition under which it can test the claim at all; a click on the
# line below a row opens the test, the rule, the seeds, everything that was measured, the
# scale and the commit.

# %% tags=["parameters"]
scale = "smoke"
device = "auto"
seed = 0

# %% tags=["hide-input"]
from IPython.display import HTML

from wgan.plan.scale import Scale
from wgan.report.claims import CLAIMS, KINDS, NOT_RUN, VERDICTS, ledger
from wgan.report.ledger import book_chapters, ledger_html, ledger_summary_html
from wgan.report.provenance import provenance
from wgan.report.rules import history_table, rule_commits

scale = Scale.from_env(scale)  # the dry-run switch ($WGAN_DRY_RUN) read once
record = provenance(scale, device, seed, dataset="the chapters' claim records (runs/claims)")
print(record)
record

# %% [markdown]
# ## The ledger

# %% tags=["remove-input"]
table = ledger(scale, rule_commits=rule_commits([claim.key for claim in CLAIMS]))
HTML(ledger_summary_html(table, scale.name) + ledger_html(table, linked=book_chapters()))

# %% [markdown]
# ## How the ledger is made
#
# The claims come in three kinds, one table each: the paper's empirical claims, tested;
# numerical illustrations of results the paper proves (Example 1, Theorems 1-3) or that
# follow by arithmetic (a clipped layer's gain is bounded by its box): their checks cannot
# fail the way an experiment can, so they are marked *illustration shown* and are not
# counted as reproductions; and claims of a later paper (WGAN-GP) that chapter 8 tests.
# Each claim's test and rule are declared once, in `wgan.report.claims.CLAIMS`, with the
# condition under which its experiment is adequate; where that condition fails, the verdict
# is *not tested at this scale*, never *not reproduced*.
#
# Nothing on this page is typed in. Each chapter ends by calling `wgan.report.claims.report`
# with the numbers it computed; the call writes a record under `runs/claims/<scale>/`. This
# page is executed after every chapter by `make execute` and reads the records back, so it
# is regenerated with the book. A claim whose chapter was not run at this scale says so,
# and each row's details name the commit of the code that measured it.

# %% [markdown]
# ## A history of the rules
#
# A rule is pre-registered only if it was declared before its outcome was seen. Each row's
# details give the commit where the claim's declared rule last changed and the commits
# that trained the runs it judged. Every change of a rule made after an outcome of that
# rule had been seen is listed here, with what had been seen and why the rule changed;
# such a rule is not a pre-registered one, and its verdict is to be read with that in mind.

# %% tags=["remove-input"]
history_table()

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
print(record.summary())
