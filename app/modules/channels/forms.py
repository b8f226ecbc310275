from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.enums import ChannelCategory, ServiceKind
from app.core.http.forms import BaseForm, enum_choices
from app.core.i18n import _l


class ServiceForm(BaseForm):
    code = StringField(_l("编码"), validators=[DataRequired(), Length(max=48), Regexp(r"^[a-z][a-z0-9_]*$")])
    kind = SelectField(_l("类型"))
    name_zh = StringField(_l("名称"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField("Name (English)", validators=[DataRequired(), Length(max=100)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
    allowed_categories = SelectMultipleField(_l("适用渠道类别（空为全部）"))
    active = BooleanField(_l("启用"), default=True)
    sort_order = IntegerField(_l("排序"), default=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(ServiceKind)
        self.allowed_categories.choices = enum_choices(ChannelCategory)


class ContactForm(BaseForm):
    """C4.2: the channel's contact."""

    contact_name = StringField(_l("联系人"), validators=[DataRequired(), Length(max=64)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=32)])
    contact_email = StringField(_l("电子邮箱"), validators=[Optional(), Length(max=200)])
