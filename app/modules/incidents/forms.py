from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, RadioField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, text_choices

_BOXES = dict(option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class IncidentForm(BaseForm):
    """C5.2: what the channel (or the operator) reports."""

    channel_id = SelectField("渠道", coerce=int, validators=[DataRequired()])
    incident_type = SelectField("事件类型（C5.5 分级目录）", validators=[DataRequired()])
    discovered_at = DateTimeLocalField("发现时间", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    description = TextAreaField("事件经过", validators=[DataRequired(), Length(max=5000)])
    impact = TextAreaField("影响范围", validators=[Optional(), Length(max=5000)])


class EvidenceForm(BaseForm):
    file = FileField("证据文件", validators=[FileRequired()])


class ConfirmForm(BaseForm):
    """C5.5: confirm or re-grade; level 1 picks the services to suspend."""

    incident_type = SelectField("认定的事件类型", validators=[DataRequired()])
    reason = TextAreaField("调整类型或级别的理由", validators=[Optional(), Length(max=2000)])
    services = SelectMultipleField("暂停的服务（一级事件）", **_BOXES)


class ReasonForm(BaseForm):
    reason = TextAreaField("理由", validators=[DataRequired(), Length(max=2000)])


class RectificationForm(BaseForm):
    body = TextAreaField("整改报告", validators=[DataRequired(), Length(max=10000)])


class DecisionForm(BaseForm):
    decision = RadioField("核验结果", validators=[DataRequired()])
    opinion = TextAreaField("意见", validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = text_choices([("approve", "通过"), ("reject", "不通过")])
