from wtforms import SelectMultipleField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length

from app.core.http.forms import BaseForm
from app.core.i18n import _l


class ChangeForm(BaseForm):
    """C4.1: the regions and services the channel should have after the change."""

    regions = SelectMultipleField(_l("变更后的服务地域"), validators=[DataRequired()])
    services = SelectMultipleField(
        _l("变更后的应用范围"),
        validators=[DataRequired()],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    reason = TextAreaField(_l("变更理由"), validators=[DataRequired(), Length(max=2000)])
