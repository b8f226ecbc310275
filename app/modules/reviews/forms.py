from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l


class DecisionForm(BaseForm):
    """C2.10: opinion, decision, contact, phone; the reviewer and date are recorded by the system."""

    decision = RadioField(_l("审核结论"), validators=[DataRequired()])
    opinion = TextAreaField(_l("审核意见"), validators=[Optional(), Length(max=4000)])
    contact = StringField(_l("联系人"), validators=[DataRequired(), Length(max=64)])
    phone = StringField(_l("联系电话"), validators=[DataRequired(), Length(max=32)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = choices([("approve", _("同意")), ("reject", _("不同意"))])
