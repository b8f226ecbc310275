from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm
from app.core.i18n import _l

_CHECKBOXES = dict(option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class NoticeForm(BaseForm):
    """C4.3: a platform notice and the channels it goes to (empty selection: all)."""

    kind = SelectField(_l("公告类型"))
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("正文"), validators=[DataRequired(), Length(max=5000)])
    starts_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    categories = SelectMultipleField(_l("渠道类别（不选为全部）"), **_CHECKBOXES)
    levels = SelectMultipleField(_l("渠道级别（不选为全部）"), coerce=int, **_CHECKBOXES)
    region_codes = SelectMultipleField(_l("地域（不选为全部）"))


class ChannelNoticeForm(BaseForm):
    """C4.4: a channel's own maintenance, suspension or restoration, announced in advance."""

    channel_id = SelectField(_l("渠道"), coerce=int, validators=[DataRequired()])
    kind = SelectField(_l("类型"))
    starts_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    description = TextAreaField(_l("说明"), validators=[DataRequired(), Length(max=2000)])
