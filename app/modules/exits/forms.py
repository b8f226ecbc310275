from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l


class ExitForm(BaseForm):
    """C6.1: a voluntary exit."""

    channel_id = SelectField(_l("渠道"), coerce=int, validators=[DataRequired()])
    requested_date = DateField(_l("申请退出日期"), validators=[DataRequired()])
    reason = TextAreaField(_l("退出原因（合作协议期内须说明特殊原因）"), validators=[Optional(), Length(max=5000)])


class ForcedExitForm(BaseForm):
    """C6.4: a forced exit opened by the operator."""

    channel_id = SelectField(_l("渠道"), coerce=int, validators=[DataRequired()])
    cause = SelectField(_l("强制退出原因"), validators=[DataRequired()])
    reason = TextAreaField(_l("事实和证据"), validators=[DataRequired(), Length(max=5000)])


class OpinionForm(BaseForm):
    decision = RadioField(_l("意见"), validators=[DataRequired()])
    opinion = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _("同意")), ("reject", _("不同意"))])


class AnnouncementForm(BaseForm):
    """C6.3: the public announcement of the exit."""

    url = StringField(_l("公告链接"), validators=[DataRequired(), Length(max=500)])
    start = DateField(_l("公告开始日期"), validators=[DataRequired()])
    end = DateField(_l("公告结束日期"), validators=[DataRequired()])
