from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, text_choices


class ExitForm(BaseForm):
    """C6.1: a voluntary exit."""

    channel_id = SelectField("渠道", coerce=int, validators=[DataRequired()])
    requested_date = DateField("申请退出日期", validators=[DataRequired()])
    reason = TextAreaField("退出原因（合作协议期内须说明特殊原因）", validators=[Optional(), Length(max=5000)])


class ForcedExitForm(BaseForm):
    """C6.4: a forced exit opened by the operator."""

    channel_id = SelectField("渠道", coerce=int, validators=[DataRequired()])
    cause = SelectField("强制退出原因", validators=[DataRequired()])
    reason = TextAreaField("事实和证据", validators=[DataRequired(), Length(max=5000)])


class OpinionForm(BaseForm):
    decision = RadioField("意见", validators=[DataRequired()])
    opinion = TextAreaField("说明", validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = text_choices([("approve", "同意"), ("reject", "不同意")])


class AnnouncementForm(BaseForm):
    """C6.3: the public announcement of the exit."""

    url = StringField("公告链接", validators=[DataRequired(), Length(max=500)])
    start = DateField("公告开始日期", validators=[DataRequired()])
    end = DateField("公告结束日期", validators=[DataRequired()])
