from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.core.http.forms import BaseForm, choices
from app.core.i18n import _, _l, localized
from app.modules.security_tests.models import QUALIFICATIONS


class InstitutionForm(BaseForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])


class QualificationForm(BaseForm):
    kind = SelectField(_l("资质"))
    certificate_number = StringField(_l("证书编号"), validators=[DataRequired(), Length(max=100)])
    valid_from = DateField(_l("起始日期"), validators=[DataRequired()])
    valid_until = DateField(_l("截止日期"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([(k, localized(v)) for k, v in QUALIFICATIONS.items()])


class ReportForm(BaseForm):
    institution_id = SelectField(_l("检测机构"), coerce=int)
    test_date = DateField(_l("检测日期"), validators=[DataRequired()])
    version_tested = StringField(_l("检测版本"), validators=[DataRequired(), Length(max=64)])
    covers_spec = BooleanField(_l("覆盖接入安全技术规范"))
    result = SelectField(_l("检测结论"))
    findings = TextAreaField(_l("主要问题"), validators=[Optional(), Length(max=8000)])
    file = FileField(_l("报告文件（PDF）"), validators=[FileRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = choices([("pass", _("通过")), ("fail", _("不通过"))])


class MajorChangeForm(BaseForm):
    kind = SelectField(_l("变更类型"))
    description = TextAreaField(_l("变更内容"), validators=[DataRequired(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("upgrade", _("重大升级")), ("policy", _("安全策略重大变更"))])


class SpotCheckForm(BaseForm):
    reason = TextAreaField(_l("抽查原因"), validators=[DataRequired(), Length(max=4000)])
    is_retest = BooleanField(_l("整改后复测"))


class SpotCheckResultForm(BaseForm):
    result = SelectField(_l("抽查结果"))
    notes = TextAreaField(_l("说明"), validators=[Optional(), Length(max=4000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = choices([("pass", _("通过")), ("fail", _("不通过"))])
