"""List every way the account password policy falls short of the baseline."""

from __future__ import annotations

from attestly.checks.types import Context, Evidence, Verdict
from attestly.integrations.builtin.common import fail

MIN_LENGTH = 14
MIN_REUSE_PREVENTION = 24
REQUIRED = (
    ("RequireUppercaseCharacters", "upper-case letters"),
    ("RequireLowercaseCharacters", "lower-case letters"),
    ("RequireNumbers", "numbers"),
    ("RequireSymbols", "symbols"),
)


def evaluate(item: Evidence, ctx: Context) -> bool | Verdict | None:
    policy = item.data.get("password_policy")
    if not policy:
        return fail("no password policy: IAM accepts any password of 8+ characters")
    gaps: list[str] = []
    length = int(policy.get("MinimumPasswordLength") or 0)
    if length < MIN_LENGTH:
        gaps.append(f"minimum length {length} < {MIN_LENGTH}")
    gaps += [f"does not require {label}" for field, label in REQUIRED if not policy.get(field)]
    reuse = int(policy.get("PasswordReusePrevention") or 0)
    if reuse < MIN_REUSE_PREVENTION:
        gaps.append(f"remembers {reuse} previous passwords < {MIN_REUSE_PREVENTION}")
    return fail("; ".join(gaps)) if gaps else True
