from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length

from app.core.http.forms import BaseForm
from app.core.i18n import _l


class WorkOrderForm(BaseForm):
    """C4.6: a user's problem; no personal ID numbers."""

    channel_id = SelectField(_l("渠道"), coerce=int, validators=[DataRequired()])
    subject = StringField(_l("问题标题"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("问题描述"), validators=[DataRequired(), Length(max=5000)])


class TextForm(BaseForm):
    body = TextAreaField(_l("内容"), validators=[DataRequired(), Length(max=5000)])


class AssignForm(BaseForm):
    assignee_id = SelectField(_l("处理人"), coerce=int, validators=[DataRequired()])


class TagsForm(BaseForm):
    tags = SelectMultipleField(
        _l("标记"), option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False)
    )


class CloseForm(BaseForm):
    note = TextAreaField(_l("关闭说明"), validators=[DataRequired(), Length(max=2000)])
