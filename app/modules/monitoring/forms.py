from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.http.forms import BaseForm, text_choices


class EvaluationForm(BaseForm):
    month = StringField("月份（YYYY-MM）", validators=[DataRequired(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")])
    dry_run = BooleanField("仅预览，不写入", default=True)


class ImportForm(BaseForm):
    file = FileField("CSV 文件", validators=[FileRequired()])


class PlanForm(BaseForm):
    body = TextAreaField("运营提升方案", validators=[DataRequired(), Length(max=10000)])


class PlanDecisionForm(BaseForm):
    decision = RadioField("审核结果", validators=[DataRequired()])
    opinion = TextAreaField("审核意见", validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = text_choices([("approve", "同意"), ("reject", "不同意")])


class ObjectionForm(BaseForm):
    objection = TextAreaField("续签异议", validators=[DataRequired(), Length(max=2000)])
