"""Account forms (labels are Chinese source strings, translated when rendered)."""

from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.enums import ChannelCategory, Role
from app.core.http.forms import BaseForm, enum_choices
from app.core.i18n import _, _l, current_locale
from app.modules.regions.operations import region_choices


class LoginForm(BaseForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])


class ActionForm(BaseForm):
    """A button that changes state: only the CSRF token."""


class OrganisationForm(BaseForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("统一社会信用代码"), validators=[DataRequired(), Length(min=18, max=18)])
    registered_address = StringField(_l("注册地址"), validators=[Optional(), Length(max=300)])
    registration_date = DateField(_l("注册时间"), validators=[Optional()])
    category = SelectField(_l("单位类别"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _("请选择")), *enum_choices(ChannelCategory)]  # checked, not defaulted (C1.2)


class OrganisationCategoryForm(BaseForm):
    """C1.2, S3: a reviewed change of the organisation's kind, with its grounds."""

    category = SelectField(_l("单位类别"), validators=[DataRequired()])
    reason = TextAreaField(_l("变更依据"), validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = enum_choices(ChannelCategory)


class UserForm(BaseForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("角色"))
    organisation_id = SelectField(_l("单位"), coerce=int, validators=[Optional()])
    region_code = SelectField(_l("所属地区"), validators=[Optional()])
    email = EmailField(_l("邮箱"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("手机号"), validators=[Optional(), Length(max=32)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = enum_choices(Role)
        self.region_code.choices = region_choices(current_locale())


class GrantForm(BaseForm):
    """S2: the role and jurisdiction an administrator grants (replacing the current one)."""

    role = SelectField(_l("角色"))
    organisation_id = SelectField(_l("单位"), coerce=int, validators=[Optional()])
    region_code = SelectField(_l("所属地区"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = enum_choices(Role)
        self.region_code.choices = region_choices(current_locale())


class WithdrawForm(BaseForm):
    reason = TextAreaField(_l("收回原因"), validators=[DataRequired(), Length(max=500)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=200)])


class CodeForm(BaseForm):
    code = StringField(_l("动态口令"), validators=[DataRequired(), Length(min=6, max=6)])


class ReauthForm(BaseForm):
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("动态口令"), validators=[Optional(), Length(max=6)])


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=2000)])
