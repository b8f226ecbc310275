from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm

_CHECKBOXES = dict(option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))


class NoticeForm(BaseForm):
    """C4.3: a platform notice and the channels it goes to (empty selection: all)."""

    kind = SelectField("公告类型")
    title = StringField("标题", validators=[DataRequired(), Length(max=200)])
    body = TextAreaField("正文", validators=[DataRequired(), Length(max=5000)])
    starts_at = DateTimeLocalField("开始时间", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField("结束时间", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    categories = SelectMultipleField("渠道类别（不选为全部）", **_CHECKBOXES)
    levels = SelectMultipleField("渠道级别（不选为全部）", coerce=int, **_CHECKBOXES)
    region_codes = SelectMultipleField("地域（不选为全部）")


class ChannelNoticeForm(BaseForm):
    """C4.4: a channel's own maintenance, suspension or restoration, announced in advance."""

    channel_id = SelectField("渠道", coerce=int, validators=[DataRequired()])
    kind = SelectField("类型")
    starts_at = DateTimeLocalField("开始时间", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    ends_at = DateTimeLocalField("结束时间", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    description = TextAreaField("说明", validators=[DataRequired(), Length(max=2000)])
