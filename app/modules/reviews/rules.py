"""Pure routing of the review chain (C2.3, C2.6).

Each requested city's municipal center and each province's provincial center give an opinion on their part; a
province-level region skips the municipal step; the national center decides after the provincial opinions; the operator
then assigns the number and the key. A national-scope application asks every mainland provincial center for an
opinion, which informs the national decision but does not stop it (C2.3).
"""

from dataclasses import dataclass

from app.core.enums import Stage, StepStatus
from app.core.permissions import P

# C2.6: the permission that decides a step of each stage (granted to one role each, app/core/permissions.py).
STAGE_PERMISSION = {
    Stage.municipal: P.review_municipal,
    Stage.provincial: P.review_provincial,
    Stage.national: P.review_national,
    Stage.operator: P.review_operator,
}


@dataclass(frozen=True)
class PlannedStep:
    stage: Stage
    region_code: str | None
    advisory: bool = False


def plan_steps(requested: list[tuple[str, str]], national_scope: bool, mainland: list[str]) -> list[PlannedStep]:
    """`requested` is a list of (region code, province code) pairs; a province requested itself has both equal."""
    if national_scope:
        steps = [PlannedStep(Stage.provincial, code, advisory=True) for code in mainland]
    else:
        cities = sorted({code for code, province in requested if code != province})
        provinces = sorted({province for _code, province in requested})
        steps = [PlannedStep(Stage.municipal, c) for c in cities]
        steps += [PlannedStep(Stage.provincial, p) for p in provinces]
    return [*steps, PlannedStep(Stage.national, None), PlannedStep(Stage.operator, None)]


def province_of(code: str) -> str:
    """GB/T 2260: the province of a city code is its first two digits followed by zeros."""
    return code[:2] + "0000"


def ready_to_open(step, steps) -> bool:
    """Whether a waiting step's prerequisites are all decided (approved, or any opinion for advisory steps)."""

    def done(other) -> bool:
        return other.status == StepStatus.approved or (other.advisory and other.decided)

    if step.stage == Stage.provincial:
        return all(
            done(s) for s in steps if s.stage == Stage.municipal and province_of(s.region_code) == step.region_code
        )
    if step.stage == Stage.national:
        return all(done(s) for s in steps if s.stage in (Stage.municipal, Stage.provincial))
    if step.stage == Stage.operator:
        return all(done(s) for s in steps if s.stage == Stage.national)
    return True
