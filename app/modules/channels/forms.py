from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.enums import ChannelCategory, ServiceKind
from app.core.http.forms import BaseForm, enum_choices


class ServiceForm(BaseForm):
    code = StringField("编码", validators=[DataRequired(), Length(max=48), Regexp(r"^[a-z][a-z0-9_]*$")])
    kind = SelectField("类型")
    name_zh = StringField("名称", validators=[DataRequired(), Length(max=100)])
    name_en = StringField("Name (English)", validators=[DataRequired(), Length(max=100)])
    description = TextAreaField("说明", validators=[Optional(), Length(max=2000)])
    allowed_categories = SelectMultipleField("适用渠道类别（空为全部）")
    active = BooleanField("启用", default=True)
    sort_order = IntegerField("排序", default=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = enum_choices(ServiceKind)
        self.allowed_categories.choices = enum_choices(ChannelCategory)


class ContactForm(BaseForm):
    """C4.2: the channel's contact."""

    contact_name = StringField("联系人", validators=[DataRequired(), Length(max=64)])
    contact_phone = StringField("联系电话", validators=[Optional(), Length(max=32)])
    contact_email = StringField("电子邮箱", validators=[Optional(), Length(max=200)])
