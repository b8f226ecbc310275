from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, text_choices


class DecisionForm(BaseForm):
    """C2.10: opinion, decision, contact, phone; the reviewer and date are recorded by the system."""

    decision = RadioField("审核结论", validators=[DataRequired()])
    opinion = TextAreaField("审核意见", validators=[Optional(), Length(max=4000)])
    contact = StringField("联系人", validators=[DataRequired(), Length(max=64)])
    phone = StringField("联系电话", validators=[DataRequired(), Length(max=32)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = text_choices([("approve", "同意"), ("reject", "不同意")])
