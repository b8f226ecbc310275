from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm
from app.core.i18n import _l


class VersionForm(BaseForm):
    version = StringField(_l("版本号"), validators=[DataRequired(), Length(max=32)])
    title = StringField(_l("协议名称"), validators=[Optional(), Length(max=200)])
    effective_from = DateField(_l("生效日期"), validators=[DataRequired()])
    body = TextAreaField(_l("协议全文"), validators=[DataRequired(), Length(max=200_000)])


class SignForm(BaseForm):
    """The explicit confirmation step (C2.8): the digest of the text shown travels with the confirmation."""

    text_sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    confirm = BooleanField(_l("本单位已阅读并同意上述协议全文，确认签署"))
