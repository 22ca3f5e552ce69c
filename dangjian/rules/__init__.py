"""dangjian.rules: the pure procedure core — steps, dates, checks → findings. No Django here.

The contract is shared/domain/PROCEDURE.md. Public API:

- ``check_document(doc)``: the ``dangjian check`` contract on JSON-decoded input (§5) → the output dict;
- ``validate_document(doc)``: strict validation, raises ``InputError(path, message)``;
- ``evaluate(dossier, config, as_of)``: typed evaluation of one ``Dossier`` → ``Result``;
- ``COMPILED``: whether the Cython build of this package is in use (see ``rules.native``);
- ``STEPS`` (the 25 steps as data), ``RULES`` (code → ``Rule``), ``RULE_SETS`` (versioned rule sets).
"""

from dangjian.rules import native as _native

if _native.active():  # the Cython build of these same sources, when set-up made one that matches them
    __path__.insert(0, str(_native.COMPILED_DIR))

from dangjian.rules.catalog import RULE_SETS, RULES, Rule, RuleSet, ruleset_for
from dangjian.rules.context import Finding
from dangjian.rules.dates import add_months, add_years
from dangjian.rules.engine import Result, check_document, evaluate
from dangjian.rules.schema import Config, Document, Dossier, InputError, validate_document
from dangjian.rules.steps import STAGES, STEP_BY_CODE, STEPS, Step

COMPILED = _native.active()

__all__ = [
    "COMPILED",
    "RULES",
    "RULE_SETS",
    "STAGES",
    "STEPS",
    "STEP_BY_CODE",
    "Config",
    "Document",
    "Dossier",
    "Finding",
    "InputError",
    "Result",
    "Rule",
    "RuleSet",
    "Step",
    "add_months",
    "add_years",
    "check_document",
    "evaluate",
    "ruleset_for",
    "validate_document",
]
