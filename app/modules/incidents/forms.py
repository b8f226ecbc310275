from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, RadioField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l

_BOXES = dict(option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class IncidentForm(BaseForm):
    """C5.2: what the channel (or the operator) reports."""

    channel_id = SelectField(_l("渠道"), coerce=int, validators=[DataRequired()])
    incident_type = SelectField(_l("事件类型（C5.5 分级目录）"), validators=[DataRequired()])
    discovered_at = DateTimeLocalField(_l("发现时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    description = TextAreaField(_l("事件经过"), validators=[DataRequired(), Length(max=5000)])
    impact = TextAreaField(_l("影响范围"), validators=[Optional(), Length(max=5000)])


class EvidenceForm(BaseForm):
    file = FileField(_l("证据文件"), validators=[FileRequired()])


class ConfirmForm(BaseForm):
    """C5.5: confirm or re-grade; level 1 picks the services to suspend."""

    incident_type = SelectField(_l("认定的事件类型"), validators=[DataRequired()])
    reason = TextAreaField(_l("调整类型或级别的理由"), validators=[Optional(), Length(max=2000)])
    services = SelectMultipleField(_l("暂停的服务（一级事件）"), **_BOXES)


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("理由"), validators=[DataRequired(), Length(max=2000)])


class RectificationForm(BaseForm):
    body = TextAreaField(_l("整改报告"), validators=[DataRequired(), Length(max=10000)])


class DecisionForm(BaseForm):
    decision = RadioField(_l("核验结果"), validators=[DataRequired()])
    opinion = TextAreaField(_l("意见"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _("通过")), ("reject", _("不通过"))])
