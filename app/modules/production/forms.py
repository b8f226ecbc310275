from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from app.core.http.forms import BaseForm
from app.core.i18n import _l


class ProductionForm(BaseForm):
    """Form 3's header (C7.3): contact and the security test report (C2.7)."""

    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=64)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=32)])
    contact_email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])
    fill_date = DateField(_l("填表日期"), validators=[Optional()])
    security_report_id = SelectField(_l("安全检测报告"), coerce=int)


class RecordingForm(BaseForm):
    file = FileField(_l("录屏文件（MP4/MOV）"), validators=[FileRequired()])


class VerificationForm(BaseForm):
    """The operator's verification: ticks are read from the request (one checkbox per platform and step)."""

    report_reviewed = BooleanField(_l("已审查安全检测报告"))
