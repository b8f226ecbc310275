from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l


class EvaluationForm(BaseForm):
    month = StringField(_l("月份（YYYY-MM）"), validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])
    dry_run = BooleanField(_l("仅预览，不写入"), default=True)


class ImportForm(BaseForm):
    file = FileField(_l("CSV 文件"), validators=[FileRequired()])


class PlanForm(BaseForm):
    body = TextAreaField(_l("运营提升方案"), validators=[DataRequired(), Length(max=10000)])


class PlanDecisionForm(BaseForm):
    decision = RadioField(_l("审核结果"), validators=[DataRequired()])
    opinion = TextAreaField(_l("审核意见"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _("同意")), ("reject", _("不同意"))])


class ObjectionForm(BaseForm):
    objection = TextAreaField(_l("续签异议"), validators=[DataRequired(), Length(max=2000)])
