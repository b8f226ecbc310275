"""The exits domain's daily work (registered with `app.core.jobs`): C6.4 forced exits the system calls for, exits whose
transition ended (C6.2), interrupted deletions (C6.5). Idempotent by state (no period claim: a deletion that crashed
must resume the same day)."""

from datetime import date

from app.core.i18n import register_codes
from app.core.jobs import register_daily
from app.modules.exits.deletion import resume_unfinished
from app.modules.exits.operations import complete_due, open_due_forced_exits


def exit_jobs(on: date) -> dict:
    return {"forced": open_due_forced_exits(on), "completed": complete_due(on), "resumed": resume_unfinished()}


register_daily("exits", exit_jobs, order=20)

register_codes(
    "job",
    {
        "exits": ("退出过渡期到期处理", "Exit transitions ending"),
    },
)
