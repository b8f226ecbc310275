"""Form 1 (with Form 2 and the level-2 supplement) as WTForms, and its conversion to the operations' input."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.enums import AccessMode, ChannelCategory, ChannelForm
from app.core.http.forms import BaseForm, choices, enum_choices
from app.core.i18n import _, _l, current_locale
from app.modules.applications.operations import content


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RowForm(Form):
    name = StringField(_l("渠道名称"), validators=[DataRequired(), Length(max=100)])
    form = SelectField(_l("渠道形式"))
    access_mode = SelectField(_l("接入方式"))
    national_scope = BooleanField(_l("全国范围"))
    regions = SelectMultipleField(_l("服务地域"), validate_choice=False)
    services = MultiCheckboxField(_l("应用范围"), validate_choice=False)
    remove = BooleanField(_l("删除此行"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self["form"].choices = enum_choices(ChannelForm)
        self["access_mode"].choices = enum_choices(AccessMode)


class SocialForm(Form):
    user_groups = TextAreaField(_l("用户人群"), validators=[Optional(), Length(max=2000)])
    registered_users = IntegerField(_l("注册用户数"), validators=[Optional(), NumberRange(min=0)])
    monthly_active_users = IntegerField(_l("月活跃用户数"), validators=[Optional(), NumberRange(min=0)])
    introduction = TextAreaField(_l("渠道介绍"), validators=[Optional(), Length(max=4000)])
    download_url = StringField(_l("下载地址"), validators=[Optional(), Length(max=500)])
    covered_regions = TextAreaField(_l("覆盖地域"), validators=[Optional(), Length(max=2000)])
    scenario_fit = TextAreaField(_l("与民生业务契合度"), validators=[Optional(), Length(max=4000)])
    entry_point = TextAreaField(_l("拟接入入口位置"), validators=[Optional(), Length(max=2000)])
    expansion_plan = TextAreaField(_l("应用拓展规划"), validators=[Optional(), Length(max=4000)])
    committed_annual_issuance = IntegerField(_l("承诺年度签发量"), validators=[Optional(), NumberRange(min=0)])
    committed_mau = IntegerField(_l("承诺月活跃用户数"), validators=[Optional(), NumberRange(min=0)])
    company_materials = TextAreaField(_l("公司材料"), validators=[Optional(), Length(max=2000)])


class Level2Form(Form):
    basic_facts = TextAreaField(_l("基本情况"), validators=[Optional(), Length(max=4000)])
    management_relation = TextAreaField(_l("管理关系"), validators=[Optional(), Length(max=4000)])
    capability_relation = TextAreaField(_l("能力关系"), validators=[Optional(), Length(max=4000)])
    business_relation = TextAreaField(_l("业务关系"), validators=[Optional(), Length(max=4000)])


class ApplicationForm(BaseForm):
    category = SelectField(_l("渠道类别"), validators=[DataRequired()])
    level = RadioField(_l("渠道级别"), default="1")
    parent_channel_id = SelectField(_l("一级渠道"), coerce=int, validators=[Optional()])
    same_subject = RadioField(_l("主体关系"), default="1")
    inherit_parent_scope = BooleanField(_l("继承一级渠道的服务地域和应用范围"))
    fill_date = DateField(_l("填表日期"), validators=[Optional()])
    contact_name = StringField(_l("联系人"), validators=[DataRequired(), Length(max=64)])
    contact_phone = StringField(_l("手机号"), validators=[Optional(), Length(max=32)])
    contact_email = StringField(_l("邮箱"), validators=[Optional(), Length(max=200)])
    operating_since = DateField(_l("渠道开始运营日期"), validators=[Optional()])
    serves_livelihood = BooleanField(_l("服务民生"))
    existing_users = IntegerField(_l("现有用户数"), validators=[Optional(), NumberRange(min=0)])
    rows = FieldList(FormField(RowForm), min_entries=1, max_entries=20)
    social = FormField(SocialForm)
    level2 = FormField(Level2Form)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = enum_choices(ChannelCategory)

    def owned_by(self, organisation) -> None:
        """C1.2: the category is the owner's registered kind — the only choice offered."""
        kind = organisation.category
        self.category.choices = [(kind.value, kind.title(current_locale()))]
        self.category.data = kind.value
        self.level.choices = choices([("1", _("一级渠道")), ("2", _("二级渠道"))])
        self.same_subject.choices = choices([("1", _("同一主体")), ("0", _("不同主体"))])


class AttachmentForm(BaseForm):
    kind = SelectField(_l("附件类型"))
    file = FileField(_l("文件"), validators=[FileRequired()])


def form_to_data(form: ApplicationForm) -> dict:
    level = int(form.level.data or 1)
    rows = [
        {
            "name": r["name"].data,
            "form": r["form"].data,
            "access_mode": r["access_mode"].data,
            "national_scope": r["national_scope"].data,
            "regions": r["regions"].data or [],
            "services": r["services"].data or [],
        }
        for r in form.rows
        if not r["remove"].data
    ]
    data = {
        "category": form.category.data,
        "level": level,
        "fill_date": form.fill_date.data,
        "parent_channel_id": form.parent_channel_id.data if level == 2 else None,
        "same_subject": form.same_subject.data == "1",
        "inherit_parent_scope": form.inherit_parent_scope.data,
        "contact_name": form.contact_name.data,
        "contact_phone": form.contact_phone.data or "",
        "contact_email": form.contact_email.data or "",
        "operating_since": form.operating_since.data,
        "serves_livelihood": form.serves_livelihood.data,
        "existing_users": form.existing_users.data or 0,
        "rows": rows,
        "social": {
            k: (v if v is not None else (0 if isinstance(form.social[k], IntegerField) else ""))
            for k, v in form.social.data.items()
        },
        "level2": {k: v or "" for k, v in form.level2.data.items()},
    }
    return data


def application_to_formdata(app) -> dict:
    """Pre-fill the form from a stored application (the radio buttons and selects want strings)."""
    data = content(app)
    data["level"] = str(app.level)
    data["parent_channel_id"] = app.parent_channel_id or 0
    data["same_subject"] = "0" if app.same_subject is False else "1"
    return {k: v for k, v in data.items() if v is not None}
